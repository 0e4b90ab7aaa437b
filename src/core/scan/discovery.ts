import { discoverAll } from '../hosts/discover';
import { mayBeConfigFile } from '../formats/configFormats';
import type { Discovered } from './readPool';

/** Whether host discovery reads this file (config formats only; never source code or prose). */
export const wantsDiscovery = mayBeConfigFile;

const decoder = new TextDecoder('utf-8');

/**
 * Host discovery on one config file's bytes (UTF-8), wherever the file was read (the read worker or
 * the calling thread): the endpoints it names and the certificate files it points at. A failure is
 * returned, not thrown, so it is logged and the file's other results still count.
 */
export function discoverIn(file: string, bytes: Uint8Array): Discovered {
  try {
    return discoverAll(file, decoder.decode(bytes));
  } catch (e) {
    return { hosts: [], fileRefs: [], error: e instanceof Error ? e.message : String(e) };
  }
}
