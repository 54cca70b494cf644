/** The sections `npm run bench` runs after the side-by-side comparison, in this order (each also runs alone). */
import type { BenchSection } from './section';
import { allocations } from './allocations';
import { deviceBinding } from './device-binding';
import { sizing } from './sizing';
import { storeGrowth } from './store-growth';

export const SECTIONS: BenchSection[] = [storeGrowth, sizing, deviceBinding, allocations];
