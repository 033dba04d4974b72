/**
 * The main demo: the notes chapter by chapter, printed from real runs.
 * Run with `npx -y pnpm@12.4.2 demo` from the repository root.
 */
import * as backprop from './notes/backprop.js';
import * as differentiation from './notes/differentiation.js';
import * as neuralnet from './notes/neuralnet.js';
import * as numericalTraining from './notes/numerical-training.js';

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

section('Perceptron, activations, forward passes, losses');
neuralnet.main();
section('Differentiation (微分・勾配・学習率)');
differentiation.main();
section('Training by numerical gradients (ニューラルネットワークの実装)');
numericalTraining.main();
section('Backpropagation (誤差逆伝搬法)');
backprop.main();
