/**
 * Multi-device broadcast (document 003): devices each send one message per `sendDelaySeconds`; enrollment
 * creates every message of every lead up front.
 *   sends per device per hour = 3,600 ÷ mean delay;  per day = 86,400 ÷ mean delay
 *   records = devices × leads per device × messages per lead;  insert rate = records ÷ enrollment window
 *   backlog drain = records ÷ fleet send rate
 */
import type { ModelContext } from './context.js';
import { formatNumber as n } from './format.js';
import { durationMs } from './policies.js';
import type { ResolvedScenario } from './resolve.js';

export function broadcastMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const b = s.broadcast;
  if (b === undefined) return;
  const devices = ctx.set('broadcast.devices', 'devices', b.devices, ctx.explain && (() => 'input'));
  const delay = ctx.set(
    'broadcast.meanSendDelaySeconds',
    's',
    b.sendDelaySeconds,
    ctx.explain && (() => 'mean of the send delay (midpoint of its range)'),
  );
  ctx.set(
    'broadcast.sendsPerDevicePerHour',
    'messages/h',
    3600 / delay,
    ctx.explain && (() => `3,600 s ÷ broadcast.meanSendDelaySeconds = 3,600 ÷ ${n(delay)}`),
  );
  const perDeviceDay = ctx.set(
    'broadcast.sendsPerDevicePerDay',
    'messages/day',
    86_400 / delay,
    ctx.explain && (() => `86,400 s ÷ broadcast.meanSendDelaySeconds = 86,400 ÷ ${n(delay)}`),
  );
  const fleetPerDay = ctx.set(
    'broadcast.sendsPerDay',
    'messages/day',
    devices * perDeviceDay,
    ctx.explain &&
      (() => `broadcast.devices × broadcast.sendsPerDevicePerDay = ${n(devices)} × ${n(perDeviceDay)}`),
  );
  const fleetPerSecond = ctx.set(
    'broadcast.sendsPerSecond',
    'messages/s',
    devices / delay,
    ctx.explain && (() => `broadcast.devices ÷ broadcast.meanSendDelaySeconds = ${n(devices)} ÷ ${n(delay)}`),
  );
  const leads = ctx.set(
    'broadcast.leads',
    'leads',
    devices * b.leadsPerDevice,
    ctx.explain && (() => `broadcast.devices × leadsPerDevice = ${n(devices)} × ${n(b.leadsPerDevice)}`),
  );
  const perDevice = ctx.set(
    'broadcast.recordsPerDevice',
    'records',
    b.leadsPerDevice * b.messagesPerLead,
    ctx.explain &&
      (() => `leadsPerDevice × messagesPerLead = ${n(b.leadsPerDevice)} × ${n(b.messagesPerLead)}`),
  );
  const records = ctx.set(
    'broadcast.records',
    'records',
    devices * perDevice,
    ctx.explain && (() => `broadcast.devices × broadcast.recordsPerDevice = ${n(devices)} × ${n(perDevice)}`),
  );
  const windowSeconds = durationMs(b.enrollmentWindow) / 1000;
  ctx.set(
    'broadcast.insertsPerSecond',
    'inserts/s',
    records / windowSeconds,
    ctx.explain && (() => `broadcast.records ÷ enrollment window = ${n(records)} ÷ ${n(windowSeconds)} s`),
  );
  const drainSeconds = records / fleetPerSecond;
  ctx.set(
    'broadcast.backlogDrainHours',
    'h',
    drainSeconds / 3600,
    ctx.explain &&
      (() =>
        `broadcast.records ÷ broadcast.sendsPerSecond ÷ 3,600 = ${n(records)} ÷ ${n(fleetPerSecond)} ÷ 3,600`),
  );
  ctx.set(
    'broadcast.backlogDays',
    'days',
    records / fleetPerDay,
    ctx.explain && (() => `broadcast.records ÷ broadcast.sendsPerDay = ${n(records)} ÷ ${n(fleetPerDay)}`),
  );
  if (b.pollInterval !== undefined) {
    const pollSeconds = durationMs(b.pollInterval) / 1000;
    ctx.set(
      'broadcast.pollsPerSecond',
      'queries/s',
      devices / pollSeconds,
      ctx.explain && (() => `broadcast.devices ÷ poll interval = ${n(devices)} ÷ ${n(pollSeconds)} s`),
    );
  }
  if (b.staggeredEnrollment !== undefined) {
    const { batchLeads, batchInterval } = b.staggeredEnrollment;
    const intervalSeconds = durationMs(batchInterval) / 1000;
    const rate = ctx.set(
      'broadcast.staggered.leadsPerSecond',
      'leads/s',
      batchLeads / intervalSeconds,
      ctx.explain && (() => `batchLeads ÷ batchInterval = ${n(batchLeads)} ÷ ${n(intervalSeconds)} s`),
    );
    ctx.set(
      'broadcast.staggered.enrollmentDays',
      'days',
      leads / rate / 86_400,
      ctx.explain && (() => `broadcast.leads ÷ leads/s ÷ 86,400 = ${n(leads)} ÷ ${n(rate)} ÷ 86,400`),
    );
  }
  if (b.enrollmentRateLimitPerSecond !== undefined) {
    const limit = b.enrollmentRateLimitPerSecond;
    ctx.set(
      'broadcast.rateLimited.enrollmentHours',
      'h',
      leads / limit / 3600,
      ctx.explain && (() => `broadcast.leads ÷ rate limit ÷ 3,600 = ${n(leads)} ÷ ${n(limit)} ÷ 3,600`),
    );
    ctx.set(
      'broadcast.rateLimited.insertsPerSecond',
      'inserts/s',
      limit * b.messagesPerLead,
      ctx.explain && (() => `rate limit × messagesPerLead = ${n(limit)} × ${n(b.messagesPerLead)}`),
    );
  }
  if (b.sequenceLinkingMultiplier !== undefined) {
    const multiplier = b.sequenceLinkingMultiplier;
    ctx.set(
      'broadcast.linkedRecords',
      'records',
      records * multiplier,
      ctx.explain &&
        (() => `broadcast.records × sequenceLinkingMultiplier = ${n(records)} × ${n(multiplier)}`),
    );
  }
}
