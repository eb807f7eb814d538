/**
 * `--plain-http`, shared by inspect, verify, flash and disks --for: talk HTTP instead of HTTPS
 * to an oci:// registry. Only for a registry on this machine (127.0.0.1, ::1, localhost);
 * anything else is refused by the OCI source (E_INPUT), before a connection is made.
 */
export const PLAIN_HTTP_HELP = `  --plain-http     oci:// only: talk plain HTTP to a registry on this machine
                   (127.0.0.1, ::1, localhost); refused for any other registry`;

/** The parseArgs declaration of the option. */
export const PLAIN_HTTP_OPTION = { 'plain-http': { type: 'boolean' } } as const;
