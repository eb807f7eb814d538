/**
 * Source → Review → Target → Confirm → Flash → Done, with the current step marked and the
 * reachable ones clickable (keyboard: Tab to a step, Enter to go there).
 */
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/use-app-store.ts';
import { STEPS, STEP_LABELS, canNavigateTo, stepAvailability } from '../store/steps.ts';

export function StepHeader() {
  const step = useAppStore((state) => state.step);
  const goTo = useAppStore((state) => state.goTo);
  const availability = useAppStore(useShallow(stepAvailability));
  const currentIndex = STEPS.indexOf(step);

  return (
    <nav className="steps" aria-label="Steps">
      <ol>
        {STEPS.map((candidate, index) => {
          const current = candidate === step;
          const reachable = !current && canNavigateTo(candidate, availability);
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
