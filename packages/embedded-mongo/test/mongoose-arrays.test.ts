import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { getServer } from './server';
import type { TestServer } from './server';

// What mongoose itself sends for array and map changes: `save()` after an $elemMatch projection
// uses the positional `$`, `arr.pull(subdoc)` without an _id sends `$pull` with `$or`, and map
// paths written as `m.$*.x` reach the server unchanged.

let server: TestServer;
let conn: mongoose.Connection;
let n = 0;

const itemSchema = new mongoose.Schema({ sku: String, qty: Number });
const lineSchema = new mongoose.Schema({ sku: String, qty: Number }, { _id: false });
const orderSchema = new mongoose.Schema({
  items: [itemSchema],
  lines: [lineSchema],
  prefs: { type: Map, of: new mongoose.Schema({ on: Boolean }, { _id: false }) },
});

const model = () => conn.model(`Order${++n}`, orderSchema, `orders${n}`);

beforeAll(async () => {
  server = await getServer('mongoose_arrays');
  conn = await mongoose.createConnection(server.uri).asPromise();
});

afterAll(async () => {
  await conn?.close();
  await server?.stop();
});

describe('mongoose array updates', () => {
  it('save() after an $elemMatch projection updates the selected element through items.$', async () => {
    const Order = model();
    const created = await Order.create({
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
        { sku: 'c', qty: 3 },
      ],
    });
    const partial = await Order.findOne({ _id: created._id }, { items: { $elemMatch: { sku: 'b' } } });
    expect(partial?.items.map((i) => i.sku)).toEqual(['b']);
    const item = partial?.items[0];
    if (!partial || !item) throw new Error('projection returned no element');
    item.qty = 20;
    await partial.save();
    const fresh = await Order.findById(created._id).lean();
    expect(fresh?.items.map((i) => [i.sku, i.qty])).toEqual([
      ['a', 1],
      ['b', 20],
      ['c', 3],
    ]);
  });

  it('arr.pull(subdoc) removes a subdocument without _id ($pull with $or) and one with _id', async () => {
    const Order = model();
    const created = await Order.create({
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
      lines: [
        { sku: 'x', qty: 1 },
        { sku: 'y', qty: 2 },
        { sku: 'x', qty: 3 },
      ],
    });
    const doc = await Order.findById(created._id);
    if (!doc) throw new Error('not found');
    doc.lines.pull({ sku: 'x', qty: 1 });
    const first = doc.items[0];
    if (first) doc.items.pull(first);
    await doc.save();
    const fresh = await Order.findById(created._id).lean();
    expect(fresh?.lines).toEqual([
      { sku: 'y', qty: 2 },
      { sku: 'x', qty: 3 },
    ]);
    expect(fresh?.items.map((i) => i.sku)).toEqual(['b']);
  });

  it('Model.updateOne with items.$ and with arrayFilters', async () => {
    const Order = model();
    const created = await Order.create({
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
        { sku: 'b', qty: 5 },
      ],
    });
    await Order.updateOne({ _id: created._id, 'items.sku': 'b' }, { $inc: { 'items.$.qty': 1 } });
    await Order.updateOne({ _id: created._id }, { $set: { 'items.$[it].sku': 'B' } }, { arrayFilters: [{ 'it.qty': { $gte: 5 } }] });
    const fresh = await Order.findById(created._id).lean();
    expect(fresh?.items.map((i) => [i.sku, i.qty])).toEqual([
      ['a', 1],
      ['b', 3],
      ['B', 5],
    ]);
  });

  it('map paths: ordinary keys are set, and a literal m.$* path is stored as the server stores it', async () => {
    const Order = model();
    const created = await Order.create({ prefs: { email: { on: true } } });
    const doc = await Order.findById(created._id);
    doc?.prefs?.set('sms', { on: false });
    await doc?.save();
    await Order.updateOne({ _id: created._id }, { $set: { 'prefs.$*.on': false } });
    const raw = await Order.collection.findOne({ _id: created._id });
    expect(raw?.prefs).toEqual({ email: { on: true }, sms: { on: false }, '$*': { on: false } });
  });
});
