import { FILE_PROBLEM_CODES, LOCKED_CODES } from '../../core/report/findingCodes';

/**
 * Which findings the tree lists as problems and the contextValue of their rows (package.json's menus
 * key on it), derived from the finding-code categories of core/report/findingCodes.ts. Free of
 * `vscode`, so unit tests check it.
 */

/** The findings the Problems group lists: files that could not be read or opened, and other file problems. */
export const PROBLEM_CODES: ReadonlySet<string> = FILE_PROBLEM_CODES;

/** The contextValue package.json shows the Unlock menu for. */
export const LOCKED_PROBLEM = 'certlens.problem.locked';

/** A Problems row's contextValue: LOCKED_PROBLEM when a password resolves the finding, else `certlens.problem`. */
export function problemContextValue(code: string): string {
  return LOCKED_CODES.has(code) ? LOCKED_PROBLEM : 'certlens.problem';
}
