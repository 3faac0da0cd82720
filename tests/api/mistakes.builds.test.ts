// Hidden mistakes (issue 15), once per wasm build (tests/builds.ts). Each suite is a program a
// PyTorch user writes in the first hour that used to give a wrong answer with no error; the suites
// live in tests/api/mistakes-*.ts.
import { useBuild } from '../use-build.js';
import { layersMistakes } from './mistakes-layers.js';
import { dtypeInplaceMistakes } from './mistakes-dtype-inplace.js';
import { namesMistakes } from './mistakes-names.js';
import { optionsMistakes } from './mistakes-options.js';

const { label } = useBuild();
layersMistakes(label);
dtypeInplaceMistakes(label);
namesMistakes(label);
optionsMistakes(label);
