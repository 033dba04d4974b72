/**
 * The main demo: the notes chapter by chapter, printed from real runs, then every page drawn
 * into one folder. Run with `npx -y pnpm@12.4.2 demo` from the repository root.
 */

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runChapter6 } from './chapter6/index.js';
import { main as cnnMain } from './cnn.js';
import { main as mnistMain } from './mnist.js';
import * as backprop from './notes/backprop.js';
import * as differentiation from './notes/differentiation.js';
import * as neuralnet from './notes/neuralnet.js';
import * as numericalTraining from './notes/numerical-training.js';
import { cnnPage } from './pages/cnn.js';
import { writePages } from './pages/site.js';
import { trainingPage } from './pages/training.js';

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

const outDir = resolve(process.env.ZEROGRAD_OUT ?? new URL('../../out/pages', import.meta.url).pathname);

section('Perceptron, activations, forward passes, losses');
neuralnet.main();
section('Differentiation');
differentiation.main();
section('Training by numerical gradients');
numericalTraining.main();
section('Backpropagation');
backprop.main();

section('MNIST: chapter 5 and a stronger net');
mkdirSync(outDir, { recursive: true });
const { data, runs } = await mnistMain(outDir);

// `pnpm demo --book` runs chapter 6 at the book's sizes (minutes); the default is its quick version.
section(`Chapter 6: learning techniques (${process.argv.includes('--book') ? 'the book’s sizes' : 'quick version'})`);
const chapter6 = runChapter6(process.argv.includes('--book') ? 'book' : 'quick', { data });

section('Chapter 7: SimpleConvNet on MNIST');
const cnn = cnnMain(console.log, { book: process.argv.includes('--book') });

section('Pages');
const index = await writePages(outDir, [trainingPage(data, runs[0], runs[1]), ...chapter6.pages, cnnPage(cnn)]);
console.log(`pages written to ${outDir}`);
console.log(`open ${index}`);
