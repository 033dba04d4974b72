import type { PageSpec } from '@zerograd/viz';
import { writeSite } from '@zerograd/viz';
import { backpropPage, secondOrderPage } from './backprop.js';
import { notesPage } from './notes.js';

/** Every page the demo writes, in reading order (training pages are added by the caller). */
export function staticPages(): PageSpec[] {
  return [notesPage(), backpropPage(), secondOrderPage()];
}

export async function writePages(dir: string, extra: PageSpec[] = []): Promise<string> {
  return writeSite(dir, [...staticPages(), ...extra], { title: 'zerograd — the notes, drawn' });
}
