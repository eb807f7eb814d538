/**
 * The application frame: brand bar with the step header, a connection banner for web mode,
 * and the screen of the current step (Confirm is a modal over the Target screen).
 */
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store/use-app-store.ts';
import { ConfirmDialog } from '../screens/confirm-dialog.tsx';
import { DoneScreen } from '../screens/done-screen.tsx';
import { FlashScreen } from '../screens/flash-screen.tsx';
import { HistoryView } from '../screens/history-view.tsx';
import { StationView } from '../screens/station-view.tsx';
import { useFinishCues } from './finish-cues.ts';
import { ReviewScreen } from '../screens/review-screen.tsx';
import { SourceScreen } from '../screens/source-screen.tsx';
import { TargetScreen } from '../screens/target-screen.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { StepHeader } from './step-header.tsx';

export function App() {
  const step = useAppStore((state) => state.step);
  const historyOpen = useAppStore((state) => state.historyOpen);
  const openHistory = useAppStore((state) => state.openHistory);
  const closeHistory = useAppStore((state) => state.closeHistory);
  const autoFlash = useAppStore((state) => state.appInfo?.station?.autoFlash === true);
  const stationViewOpen = useAppStore((state) => state.stationViewOpen);
  const openStationView = useAppStore((state) => state.openStationView);
  const showStation = autoFlash && stationViewOpen && !historyOpen;
  const showFlow = !historyOpen && !showStation;
  useFinishCues();
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

  const shownHistory = useRef(historyOpen);
  useEffect(() => {
    if (shownHistory.current === historyOpen) return;
    shownHistory.current = historyOpen;
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [historyOpen]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand" aria-label="Cosiflash">
          <span className="brand-mark" aria-hidden="true" />
          Cosiflash
        </div>
        <StepHeader />
        {autoFlash && !stationViewOpen && (
          <button type="button" className="button-secondary topbar-station" onClick={openStationView}>
            Station
          </button>
        )}
        <button type="button" className="button-secondary topbar-history" aria-pressed={historyOpen} onClick={() => (historyOpen ? closeHistory() : void openHistory())}>
          History
        </button>
      </header>
      <ConnectionBanner />
      <main className="screen" ref={mainRef}>
        {historyOpen && <HistoryView />}
        {showStation && <StationView />}
        {showFlow && step === 'source' && <SourceScreen />}
        {showFlow && step === 'review' && <ReviewScreen />}
        {showFlow && (step === 'target' || step === 'confirm') && <TargetScreen />}
        {showFlow && step === 'confirm' && <ConfirmDialog />}
        {showFlow && step === 'flash' && <FlashScreen />}
        {showFlow && step === 'done' && <DoneScreen />}
      </main>
    </div>
  );
}
