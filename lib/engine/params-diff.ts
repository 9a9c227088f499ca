/**
 * Which parameter updates actually change something, and applying them to a local copy. Empty values
 * compare equal whether `null`, missing or `""` (Connect's empty value is `""`).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Param, ParamUpdate } from '../connect';

function sameText(current: string | null | undefined, next: string): boolean {
  return (current ?? '') === next;
}

function sameStructured(current: unknown, next: unknown): boolean {
  return isDeepStrictEqual(current ?? null, next ?? null);
}

function changes(current: Param | undefined, update: ParamUpdate): boolean {
  if (current === undefined) return true;
  if (update.value !== undefined && !sameText(current.value, update.value)) return true;
  if (update.value_error !== undefined && !sameText(current.value_error, update.value_error)) return true;
  if ('structured_value' in update && !sameStructured(current.structured_value, update.structured_value)) {
    return true;
  }
  return false;
}

/** The updates that differ from `current`, in order; a later update of the same id sees the earlier one. */
export function changedParams(current: readonly Param[], updates: readonly ParamUpdate[]): ParamUpdate[] {
  const working = current.map((param) => ({ ...param }));
  const changed: ParamUpdate[] = [];
  for (const update of updates) {
    if (
      changes(
        working.find((param) => param.id === update.id),
        update,
      )
    ) {
      changed.push({ ...update });
      applyParamUpdates(working, [update]);
    }
  }
  return changed;
}

/** Writes the updates into `params` (in place); an unknown id is appended. */
export function applyParamUpdates(params: Param[], updates: readonly ParamUpdate[]): void {
  for (const update of updates) {
    let param = params.find((candidate) => candidate.id === update.id);
    if (param === undefined) {
      param = { id: update.id };
      params.push(param);
    }
    if (update.value !== undefined) param.value = update.value;
    if (update.value_error !== undefined) param.value_error = update.value_error;
    if ('structured_value' in update) param.structured_value = update.structured_value;
  }
}
