// Whatever an author types, the loader answers with problems, never an exception: mutate the
// examples (deterministically) and load every variant.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecTexts } from '../../src/spec/load.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

// '${X}' is meant literally: the loader's environment substitution must cope with it.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is the point
const NOISE = ['', ' ', ':', '- ', '{', '}', '[', ']', '"', "'", '&a ', '*a', '${X}', '$window', '0', '-1', '1e999', 'null', '~', '|', '>', '#', '\t', '---\n'];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(random() * lines.length);
  const line = lines[i]!;
  switch (Math.floor(random() * 4)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, line);
      break;
    case 2: {
      const at = Math.floor(random() * (line.length + 1));
      lines[i] = line.slice(0, at) + NOISE[Math.floor(random() * NOISE.length)] + line.slice(at + 1);
      break;
    }
    default:
      lines[i] = line.replace(/^(\s*)/, random() < 0.5 ? '$1  ' : '');
  }
  return lines.join('\n');
}

describe('loader robustness', () => {
  it('reports problems (never throws) for 200 mutations of the examples', async () => {
    const dirs = ['slos', 'slos/imported'];
    const files: Array<{ file: string; text: string }> = [];
    for (const dir of dirs)
      for (const name of await readdir(path.join(REPO, dir)))
        if (name.endsWith('.yaml')) files.push({ file: `${dir}/${name}`, text: await readFile(path.join(REPO, dir, name), 'utf8') });
    const random = prng(42);
    let withProblems = 0;
    for (let n = 0; n < 200; n++) {
      const { file, text } = files[n % files.length]!;
      let mutated = text;
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) mutated = mutate(mutated, random);
      const result = loadSpecTexts(
        files.map((f) => (f.file === file ? { file, text: mutated } : f)),
        { env: {}, cwd: REPO, fileExists: () => true },
      );
      for (const p of result.problems) {
        expect(p.line, `${file}: ${p.message}`).toBeGreaterThanOrEqual(1);
        expect(p.column).toBeGreaterThanOrEqual(1);
        expect(p.message.length).toBeGreaterThan(5);
      }
      if (result.problems.some((p) => p.file === file && p.severity === 'error')) withProblems++;
    }
    // Most mutations break something; the loader must have said so.
    expect(withProblems).toBeGreaterThan(50);
  });
});
