// Slack refuses a message with more than 50 blocks or a section text over 3000
// characters (invalid_blocks). Everything we render goes through these, so a long
// timeline or a huge label degrades to "… N more" instead of a lost message.
import type { KnownBlock } from '@slack/types';

export const MAX_BLOCKS = 50;
export const MAX_TEXT = 3000;
export const MAX_HEADER = 150;
export const MAX_BUTTON_TEXT = 75;
/** `text` fallback of chat.postMessage is truncated by Slack at 40k; keep it short anyway. */
export const MAX_FALLBACK = 3000;

export function clip(text: string, max: number = MAX_TEXT): string {
  if (text.length <= max) return text;
  return text.slice(0, max - 1) + '…';
}

/** Keeps at most 50 blocks; the last one says how many were left out. */
export function capBlocks(blocks: KnownBlock[], max: number = MAX_BLOCKS): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  kept.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… ${blocks.length - kept.length} more not shown` }] });
  return kept;
}

/**
 * Joins lines into as few section texts as fit within 3000 characters each, so a long
 * list (a timeline) becomes several sections rather than one refused block.
 */
export function chunkLines(lines: string[], max: number = MAX_TEXT): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clip(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Slack mrkdwn control characters in user-provided text (labels, summaries). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
