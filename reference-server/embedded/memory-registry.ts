/** In-process ConnectionRegistry (embedded mode): user → devices with expiry, plus lastSeen. */
import type { ConnectionRegistry, DeviceLocation, DeviceRef, UserPresence } from '../contracts.js';

interface UserEntry {
  devices: Map<string, DeviceLocation>;
  lastSeenMs: number | null;
}

export class MemoryConnectionRegistry implements ConnectionRegistry {
  private readonly users = new Map<string, UserEntry>();
  /** Every instance that ever registered a device (tests share one registry between instances). */
  private readonly instances = new Set<string>();

  isSoleInstance(instanceId: string): boolean {
    return this.instances.size === 0 || (this.instances.size === 1 && this.instances.has(instanceId));
  }

  private entry(userId: string): UserEntry {
    let entry = this.users.get(userId);
    if (entry === undefined) {
      entry = { devices: new Map(), lastSeenMs: null };
      this.users.set(userId, entry);
    }
    return entry;
  }

  async register(location: DeviceRef & { instanceId: string }, nowMs: number, ttlMs: number): Promise<void> {
    this.instances.add(location.instanceId);
    const entry = this.entry(location.userId);
    entry.devices.set(location.deviceId, { ...location, expiresAtMs: nowMs + ttlMs });
    entry.lastSeenMs = nowMs;
  }

  async refresh(
    instanceId: string,
    devices: readonly DeviceRef[],
    nowMs: number,
    ttlMs: number,
  ): Promise<void> {
    if (devices.length > 0) this.instances.add(instanceId);
    for (const device of devices) {
      const entry = this.entry(device.userId);
      const location = entry.devices.get(device.deviceId);
      if (location !== undefined && location.instanceId === instanceId) location.expiresAtMs = nowMs + ttlMs;
      else entry.devices.set(device.deviceId, { ...device, instanceId, expiresAtMs: nowMs + ttlMs });
      entry.lastSeenMs = nowMs;
    }
  }

  async unregister(location: DeviceRef & { instanceId: string }, nowMs: number): Promise<void> {
    const entry = this.users.get(location.userId);
    if (entry === undefined) return;
    if (entry.devices.get(location.deviceId)?.instanceId === location.instanceId) {
      entry.devices.delete(location.deviceId);
    }
    entry.lastSeenMs = nowMs;
  }

  async lookup(userIds: readonly string[], nowMs: number): Promise<Map<string, UserPresence>> {
    const result = new Map<string, UserPresence>();
    for (const userId of userIds) {
      const entry = this.users.get(userId);
      if (entry === undefined) continue;
      const devices = [...entry.devices.values()].filter((d) => d.expiresAtMs > nowMs);
      result.set(userId, { devices, lastSeenMs: entry.lastSeenMs });
    }
    return result;
  }

  async sweep(nowMs: number, presenceRetentionMs: number): Promise<number> {
    let removed = 0;
    for (const [userId, entry] of this.users) {
      for (const [deviceId, device] of entry.devices) {
        if (device.expiresAtMs <= nowMs) {
          entry.devices.delete(deviceId);
          removed += 1;
        }
      }
      if (
        entry.devices.size === 0 &&
        (entry.lastSeenMs === null || entry.lastSeenMs < nowMs - presenceRetentionMs)
      ) {
        this.users.delete(userId);
        removed += 1;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.users.clear();
  }
}
