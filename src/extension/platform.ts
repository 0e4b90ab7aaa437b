/**
 * Where the extension runs. The browser entry (src/web/extension.ts, dist/web/extension.js) sets
 * `web` before it activates: a Web Worker on vscode.dev, github.dev or a browser workbench, with no
 * Node — no read worker, no sockets (host checks), no git (last change). The context keys
 * certlens.isWeb and certlens.canProbe hide what needs Node in menus, the palette and the walkthrough.
 */
export const platform = { web: false };

/** Whether host checks can open connections here at all (trust and the setting come on top). */
export function canProbe(): boolean {
  return !platform.web;
}
