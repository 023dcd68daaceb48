import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SamplerScheduler } from '../../server/inspect/scheduler.js';

describe('SamplerScheduler: one timer for every session', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ticks every sampler once per period from a single timer', async () => {
    const sched = new SamplerScheduler(2);
    const a = { tick: vi.fn(async () => {}) };
    const b = { tick: vi.fn(async () => {}) };
    expect(sched.periodMs).toBe(500);
    sched.add(a);
    sched.add(b);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1500);
    expect(a.tick).toHaveBeenCalledTimes(3);
    expect(b.tick).toHaveBeenCalledTimes(3);
  });

  it('gives each sampler its own phase and stops the timer when the last one leaves', async () => {
    const sched = new SamplerScheduler(4);
    const a = { tick: vi.fn(async () => {}) };
    const b = { tick: vi.fn(async () => {}) };
    expect(sched.add(a)).not.toBe(sched.add(b));
    sched.remove(a);
    await vi.advanceTimersByTimeAsync(250);
    expect(a.tick).not.toHaveBeenCalled();
    expect(b.tick).toHaveBeenCalledTimes(1);
    sched.remove(b);
    expect(sched.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
