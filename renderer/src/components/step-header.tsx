/**
 * Source → Review → Target → Confirm → Flash → Done, with the current step marked and the
 * reachable ones clickable (keyboard: Tab to a step, Enter to go there).
 */
import { useAppStore } from '../store/use-app-store.ts';
import { STEPS, STEP_LABELS, canNavigateTo } from '../store/steps.ts';

export function StepHeader() {
  const step = useAppStore((state) => state.step);
  const goTo = useAppStore((state) => state.goTo);
  const hasImage = useAppStore((state) => state.inspectResult !== null);
  const hasTarget = useAppStore((state) => state.selectedDevice !== null);
  const flashing = useAppStore((state) => state.flashStarting || (state.jobId !== null && state.report === null));
  const hasReport = useAppStore((state) => state.report !== null);
  const currentIndex = STEPS.indexOf(step);

  return (
    <nav className="steps" aria-label="Steps">
      <ol>
        {STEPS.map((candidate, index) => {
          const current = candidate === step;
          const reachable = !current && canNavigateTo(candidate, { hasImage, hasTarget, flashing, hasReport });
          const state = current ? 'current' : index < currentIndex ? 'past' : 'future';
          return (
            <li key={candidate} className={`step step-${state}`}>
              <button type="button" disabled={!reachable} aria-current={current ? 'step' : undefined} onClick={() => goTo(candidate)}>
                <span className="step-number" aria-hidden="true">
                  {index + 1}
                </span>
                {STEP_LABELS[candidate]}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
