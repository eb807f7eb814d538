/**
 * The steps of the main flow (README "The app"): Source → Review → Target → Confirm → Flash → Done.
 */
import type { AppState } from './app-state.ts';

export const STEPS = ['source', 'review', 'target', 'confirm', 'flash', 'done'] as const;

export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Readonly<Record<Step, string>> = {
  source: 'Source',
  review: 'Review',
  target: 'Target',
  confirm: 'Confirm',
  flash: 'Flash',
  done: 'Done',
};

/** What the user may navigate to by hand, given what has been done so far. */
export interface StepAvailability {
  readonly hasImage: boolean;
  readonly hasTarget: boolean;
  /** A job is starting or running: navigation away is not possible until it ends. */
  readonly flashing: boolean;
  readonly hasReport: boolean;
}

/** Availability from the store's state (one reading for goTo and the step header). */
export function stepAvailability(state: Pick<AppState, 'inspectResult' | 'selectedDevice' | 'flashStarting' | 'jobId' | 'report'>): StepAvailability {
  return {
    hasImage: state.inspectResult !== null,
    hasTarget: state.selectedDevice !== null,
    flashing: state.flashStarting || (state.jobId !== null && state.report === null),
    hasReport: state.report !== null,
  };
}

/** Whether the step header may jump to `step` right now. Flash and Done are reached by the flow only. */
export function canNavigateTo(step: Step, availability: StepAvailability): boolean {
  if (availability.flashing) return step === 'flash';
  switch (step) {
    case 'source':
      return true;
    case 'review':
    case 'target':
      return availability.hasImage;
    case 'confirm':
      return availability.hasImage && availability.hasTarget;
    case 'flash':
      return false;
    case 'done':
      return availability.hasReport;
  }
}
