/** What an oci:// reference resolved to (inspect shows it; `--json` prints it as `source.oci`). */
export interface OciResolution {
  /** The registry as written in the reference. */
  readonly registry: string;
  readonly repository: string;
  /** The tag asked for, or null when a digest was given. */
  readonly tag: string | null;
  /** sha256 digest of the manifest the COSI layer was taken from. */
  readonly manifestDigest: string;
  /** Its media type (OCI image manifest or Docker v2 schema 2). */
  readonly manifestMediaType: string;
  /** When the reference named an index: its digest and the rule that chose the manifest; else null. */
  readonly index: { readonly digest: string; readonly rule: string } | null;
  /** The COSI layer: its digest, size and media type. */
  readonly layerDigest: string;
  readonly layerSizeBytes: number;
  readonly layerMediaType: string;
  /** The rule that chose the layer, e.g. "the only layer". */
  readonly layerRule: string;
  /** Where the credentials came from (a docker config entry or helper), or null for anonymous access. */
  readonly credentialsFrom: string | null;
}
