import { discoverAll } from '../hosts/discover';
import { mayBeConfigFile } from '../hosts/configFormats';
import type { Discovered } from './readPool';

/** Whether host discovery reads this file (config formats only; never source code or prose). */
export const wantsDiscovery = mayBeConfigFile;

/**
 * Host discovery on one config file's text, wherever the file was read (the read worker or the
 * calling thread): the endpoints it names and the certificate files it points at. A failure is
 * returned, not thrown, so it is logged and the file's other results still count.
 */
export function discoverIn(file: string, text: string): Discovered {
  try {
    return discoverAll(file, text);
  } catch (e) {
    return { hosts: [], fileRefs: [], error: e instanceof Error ? e.message : String(e) };
  }
}
