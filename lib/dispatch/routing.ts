/**
 * Which Lambda runs which request, derived from the vendor's automation table (functions/automation.ts): a
 * request type with an entry goes to its kind's function for the type (`purchase`, …, `tier-config`); any other
 * type, including one unknown at run time, goes to `unsupported`, which fails it with "Operation not supported".
 * serverless.yml deploys exactly `typeFunctionNames(automation)`: a test compares them.
 */
import type { AutomationTable, Entry } from '../automation';
import { type AnyRequest, OBJECT_CLASSES, type ObjectClass } from '../object-classes';

/** The function that runs a request that no entry handles. */
export const UNSUPPORTED_FUNCTION = 'unsupported';

/** The table's entry for a request type of a kind, if the vendor automates it. */
export function entryFor<R extends AnyRequest>(
  automation: AutomationTable,
  objectClass: ObjectClass<R>,
  type: string,
): Entry<R> | undefined {
  const entries = automation[objectClass.name] as Readonly<Record<string, Entry<R> | undefined>>;
  return Object.hasOwn(entries, type) ? entries[type] : undefined;
}

/** The Lambda (short name) a request type of a kind is dispatched to. */
export function functionFor(automation: AutomationTable, objectClass: ObjectClass, type: string): string {
  return entryFor(automation, objectClass, type) === undefined
    ? UNSUPPORTED_FUNCTION
    : objectClass.functionFor(type);
}

/** Every type function the table needs deployed, the fallback included, in a stable order. */
export function typeFunctionNames(automation: AutomationTable): string[] {
  const names = new Set<string>();
  for (const objectClass of OBJECT_CLASSES) {
    for (const type of objectClass.types) {
      if (entryFor(automation, objectClass as ObjectClass, type) !== undefined) {
        names.add(objectClass.functionFor(type));
      }
    }
  }
  return [...names, UNSUPPORTED_FUNCTION];
}
