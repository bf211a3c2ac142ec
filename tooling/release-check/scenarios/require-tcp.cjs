// Scenario program: a CommonJS user. The packages are ESM only. Where Node can require() an ES
// module (process.features.require_module: 20.19+, 22.12+, 23+) require('@sock/tcp') must work
// and give the very classes import() gives; elsewhere it must fail with ERR_REQUIRE_ESM (the README
// tells CommonJS users to use import()). The runner also starts this with
// --no-experimental-require-module to take the second branch on a new Node.
const assert = require('node:assert/strict');

const supported = process.features.require_module === true;
let required;
try {
  required = require('@sock/tcp');
} catch (error) {
  if (supported || error.code !== 'ERR_REQUIRE_ESM') throw error;
  console.log('require: ERR_REQUIRE_ESM');
  return;
}
assert.ok(supported, 'require() loaded the ES module although this Node says it cannot');
assert.equal(typeof required.Client, 'function');
import('@sock/tcp').then((imported) => {
  assert.equal(required.Client, imported.Client, 'require() and import() give one module instance');
  assert.equal(required.GenericError, require('@sock/core').GenericError);
  console.log('require: works');
});
