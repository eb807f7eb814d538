/**
 * Copies a text (an image hash) to the clipboard and says so.
 */
import { useState } from 'react';

export function CopyButton(props: { readonly text: string; readonly label: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
    setTimeout(() => setCopied('idle'), 2000);
  };
  return (
    <button type="button" className="button-small" onClick={() => void copy()} aria-label={props.label}>
      {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed — select the text' : 'Copy'}
    </button>
  );
}
