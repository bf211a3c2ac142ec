// `node --conditions=@sock/source --import <this file> child.ts` runs a TypeScript entry point
// against the workspace sources (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
