/**
 * The shape of the one zustand store: the union of its typed slices, and the creator type
 * every slice uses (it sees the whole state, and gets the Api so its actions can reach main).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { Api } from '../ipc/api.ts';
import type { FailureSlice } from './failure-slice.ts';
import type { FlashSlice } from './flash-slice.ts';
import type { HistorySlice } from './history-slice.ts';
import type { ReviewSlice } from './review-slice.ts';
import type { SourceSlice } from './source-slice.ts';
import type { StationSlice } from './station-slice.ts';
import type { TargetSlice } from './target-slice.ts';
import type { UiSlice } from './ui-slice.ts';

export type AppState = SourceSlice & ReviewSlice & TargetSlice & FlashSlice & UiSlice & HistorySlice & StationSlice & FailureSlice;

/** A slice factory: given the transport, a zustand creator for that slice. */
export type SliceFactory<Slice> = (api: Api) => StateCreator<AppState, [], [], Slice>;
