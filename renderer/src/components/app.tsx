/**
 * The application frame: brand bar with the step header, a connection banner for web mode,
 * and the screen of the current step (Confirm is a modal over the Target screen).
 */
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store/use-app-store.ts';
import { ConfirmDialog } from '../screens/confirm-dialog.tsx';
import { DoneScreen } from '../screens/done-screen.tsx';
import { FlashScreen } from '../screens/flash-screen.tsx';
import { ReviewScreen } from '../screens/review-screen.tsx';
import { SourceScreen } from '../screens/source-screen.tsx';
import { TargetScreen } from '../screens/target-screen.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { StepHeader } from './step-header.tsx';

export function App() {
  const step = useAppStore((state) => state.step);
  const mainRef = useRef<HTMLElement>(null);
  const shownStep = useRef(step);

  // Move focus to the new screen's heading so keyboard and screen-reader users follow the
  // flow. Not on first load: the Source screen's URL field keeps its autofocus.
  useEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    if (step === 'confirm') return;
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [step]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand" aria-label="Cosiflash">
          <span className="brand-mark" aria-hidden="true" />
          Cosiflash
        </div>
        <StepHeader />
      </header>
      <ConnectionBanner />
      <main className="screen" ref={mainRef}>
        {step === 'source' && <SourceScreen />}
        {step === 'review' && <ReviewScreen />}
        {(step === 'target' || step === 'confirm') && <TargetScreen />}
        {step === 'confirm' && <ConfirmDialog />}
        {step === 'flash' && <FlashScreen />}
        {step === 'done' && <DoneScreen />}
      </main>
    </div>
  );
}
