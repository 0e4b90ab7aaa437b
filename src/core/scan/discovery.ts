import { mayDeploy, mentionsIn } from '../deployment';
import { discoverAll } from '../hosts/discover';
import { mayBeConfigFile } from '../formats/configFormats';
import type { DiscoverMode, Discovered } from './readPool';

export type { DiscoverMode } from './readPool';

/**
 * Whether discovery reads this file: config formats (never source code or prose) for hosts and
 * certificate paths, and deployment files (Dockerfiles too) for the certificate files they name.
 */
export function wantsDiscovery(file: string, mode: DiscoverMode = true): boolean {
  return mode === 'mentions' ? mayDeploy(file) : mayBeConfigFile(file) || mayDeploy(file);
}

const decoder = new TextDecoder('utf-8');
/** How much of a deployment file is read for the certificate files it names. */
const MENTION_BYTES = 64 * 1024;

/**
 * Host discovery on one config file's bytes (UTF-8), wherever the file was read (the read worker or
 * the calling thread): the endpoints it names and the certificate files it points at. A failure is
 * returned, not thrown, so it is logged and the file's other results still count.
 */
export function discoverIn(file: string, bytes: Uint8Array, mode: DiscoverMode = true): Discovered {
  try {
    const found: Discovered = mode !== 'mentions' && mayBeConfigFile(file) ? discoverAll(file, decoder.decode(bytes)) : {};
    // Deployment files name their certificates near the top; a larger file is data (a CRD bundle, a
    // generated manifest). The same bytes whatever the mode, so --hosts changes no file's context.
    const mentions = mayDeploy(file) ? mentionsIn(decoder.decode(bytes.subarray(0, MENTION_BYTES))) : [];
    if (mentions.length) found.mentions = mentions;
    return found;
  } catch (e) {
    return { hosts: [], fileRefs: [], error: e instanceof Error ? e.message : String(e) };
  }
}
