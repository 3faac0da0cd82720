import * as wg from '/work/main/src/index.js';
await wg.init({ threads: 1 });
const { nn } = wg;
wg.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(8, 3));
console.log(model.toString());
console.log([...model.stateDict().keys()]);
console.log(model.namedParameters().map(([n, p]) => `${n} ${p.shape}`));
const x = wg.randn([5, 4]);
const y = model.forward(x);
const t = wg.tensor(new Int32Array([0, 1, 2, 1, 0]));
const loss = nn.functional.crossEntropy(y, t, { labelSmoothing: 0.1 });
loss.backward();
console.log(loss.item(), model.get(0).weight.grad!.shape);
class Net extends nn.Module {
  fc1 = new nn.Linear(2, 3);
  act = new nn.Tanh();
  fc2 = new nn.Linear(3, 1, { bias: false });
  forward(x: wg.Tensor) { return this.fc2.forward(this.act.forward(this.fc1.forward(x))); }
}
const net = new Net();
console.log(String(net), [...net.stateDict().keys()]);
