/**
 * The short tone web mode plays when a flash ends (high: ready, low: failed or cancelled).
 *
 * Browsers keep a page silent until someone has clicked or typed on it. A station page is
 * often opened and never touched (auto-flash needs no click), so: one AudioContext for the
 * page, created or resumed on the first click or key press ({@link unlockFinishTone}), and the
 * station view offers a button while {@link finishToneAllowed} is false. A tone the browser
 * would not play is skipped, not queued (it would sound whenever someone later clicks).
 */

let context: AudioContext | null = null;

function toneContext(): AudioContext | null {
  if (typeof window === 'undefined' || window.AudioContext === undefined) return null;
  context ??= new window.AudioContext();
  return context;
}

/** False while the browser would keep the page silent (nobody has clicked or typed on it yet). */
export function finishToneAllowed(): boolean {
  // Browsers without navigator.userActivation (older Safari) are not asked; they play if they may.
  const activation = typeof navigator === 'undefined' ? undefined : (navigator as { userActivation?: UserActivation }).userActivation;
  return activation?.hasBeenActive !== false;
}

/** Call from a click or key press: from then on the page may play the tone. */
export function unlockFinishTone(): void {
  try {
    const audio = toneContext();
    if (audio?.state === 'suspended') void audio.resume();
  } catch {
    // No audio device: the title and the notification still tell.
  }
}

export function playFinishTone(ok: boolean): void {
  if (!finishToneAllowed()) return;
  try {
    const audio = toneContext();
    if (audio === null) return;
    if (audio.state === 'suspended') void audio.resume();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = ok ? 880 : 220;
    gain.gain.value = 0.15;
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(audio.currentTime);
    oscillator.stop(audio.currentTime + (ok ? 0.25 : 0.6));
    oscillator.onended = () => {
      oscillator.disconnect();
      gain.disconnect();
    };
  } catch {
    // No audio device: the title and the notification still tell.
  }
}
