/**
 * Fan-out (seed 001 §2.A): devices connected here get the frame directly; devices on other instances
 * are found in the connection registry and reached through pub/sub; users with no device connected
 * anywhere already have the message in their durable inbox (written with the message), so nothing more
 * is needed for them. A cross-instance publish that fails is retried with exponential backoff and
 * jitter (cockatiel's decorrelated jitter), then parked in the dead-letter table (seed 002 §2 gap 1).
 * A fan-out whose registry lookup fails (Redis unreachable) waits in order until the registry answers
 * (deferred-routes.ts).
 */
import { ExponentialBackoff, handleAll, retry, type RetryPolicy } from 'cockatiel';
import type {
  BusEnvelope,
  Clock,
  ConnectionRegistry,
  DeviceRef,
  MessageStore,
  PubSub,
  StoredMessage,
} from '../contracts.js';
import { DeferredRoutes } from './deferred-routes.js';
import type { Breaker } from './resilience.js';
import { wasReplayed, type Connection, type ConnectionTable } from './connection.js';
import type { GatewayMetrics } from './metrics.js';

export interface DeliveryOptions {
  instanceId: string;
  /** Attempts per cross-instance publish before it goes to the DLQ. */
  maxAttempts: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Deliveries being retried at once; beyond this they go straight to the DLQ (bounded memory). */
  maxRetrying: number;
  /** Routes waiting for the registry in degraded mode, and how long each may wait (deferred-routes.ts). */
  maxDeferred: number;
  maxDeferredAgeMs: number;
}

/**
 * The deliver frame of a stored message. Ids match `[A-Za-z0-9_.:#-]` (validated on the way in), so
 * only the body needs JSON escaping; a template is ~3× cheaper than JSON.stringify of an object.
 */
export function deliverFrame(message: StoredMessage, redelivery: boolean): string {
  const m = message;
  return `{"type":"deliver","conversationId":"${m.conversationId}","seq":${m.seq},"messageId":"${m.messageId}","senderId":"${m.senderId}","senderDeviceId":"${m.senderDeviceId}","body":${JSON.stringify(m.body)},"clientTs":${m.clientTs},"serverTs":${m.serverTs}${redelivery ? ',"redelivery":true' : ''}}`;
}

export class Delivery {
  retrying = 0;
  deadLetters = 0;
  /** Cross-instance routes waiting for the registry (degraded mode). */
  readonly deferred: DeferredRoutes;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly connections: ConnectionTable,
    private readonly registry: ConnectionRegistry,
    private readonly bus: PubSub,
    private readonly store: MessageStore,
    private readonly busBreaker: Breaker,
    private readonly storeBreaker: Breaker,
    private readonly clock: Clock,
    private readonly metrics: GatewayMetrics,
  ) {
    this.retryPolicy = retry(handleAll, {
      maxAttempts: options.maxAttempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: options.initialRetryDelayMs,
        maxDelay: options.maxRetryDelayMs,
      }),
    });
    this.retryPolicy.onRetry(() => {
      metrics.counters.deliveryRetries += 1;
    });
    // A waiting route's publishes (with their retries) finish before the next route starts, so a
    // route retried after a publish failure cannot be overtaken by the ones behind it.
    this.deferred = new DeferredRoutes(
      (userIds, template) => this.tryRoute(userIds, template, true),
      options,
      () => clock.nowMs(),
    );
  }

  /** Writes a deliver frame to a local connection, holding it back while the inbox replay runs. */
  sendDeliver(
    connection: Connection,
    message: StoredMessage,
    text: string,
    receivedAtMs: number | null,
  ): void {
    if (connection.held !== undefined) {
      connection.held.push({ conversationId: message.conversationId, seq: message.seq, text });
      return;
    }
    // Already sent by this connection's inbox replay (PROTOCOL §5: exactly once per connection).
    if (connection.replayed !== undefined && wasReplayed(connection, message.conversationId, message.seq))
      return;
    if (this.connections.send(connection, text)) {
      this.metrics.counters.messagesDelivered += 1;
      if (receivedAtMs !== null)
        this.metrics.deliveryLatency.observe((performance.now() - receivedAtMs) / 1000);
    }
  }

  /**
   * Fans a committed message out to every device of every member except the sending device. Returns a
   * promise only when remote instances must be looked up (never in a single-instance embedded server).
   */
  fanOut(
    message: StoredMessage,
    memberIds: readonly string[],
    receivedAtMs: number,
  ): Promise<void> | undefined {
    const text = deliverFrame(message, false);
    for (const userId of memberIds) {
      const devices = this.connections.devices(userId);
      if (devices === undefined) continue;
      for (const connection of devices.values()) {
        if (userId === message.senderId && connection.deviceId === message.senderDeviceId) continue;
        this.sendDeliver(connection, message, text, receivedAtMs);
      }
    }
    if (this.registry.isSoleInstance?.(this.options.instanceId) === true) return undefined;
    const exclude = { userId: message.senderId, deviceId: message.senderDeviceId };
    return this.routeRemote(memberIds, {
      kind: 'deliver',
      targets: [],
      exclude,
      frame: text,
      conversationId: message.conversationId,
      seq: message.seq,
    });
  }

  /** Sends a frame to every device of the given users, here and on other instances. */
  async toUsers(userIds: readonly string[], text: string, kind: BusEnvelope['kind']): Promise<void> {
    for (const userId of userIds) {
      const devices = this.connections.devices(userId);
      if (devices !== undefined)
        for (const connection of devices.values()) this.connections.send(connection, text);
    }
    await this.routeRemote(userIds, { kind, targets: [], frame: text });
  }

  /**
   * Publishes `template` to each other instance holding a device of `userIds` (one envelope per
   * instance). When the registry cannot be asked, the route waits in `deferred` and goes out once it
   * answers; so does every route while others wait, to keep their order.
   */
  private async routeRemote(userIds: readonly string[], template: BusEnvelope): Promise<void> {
    if (this.deferred.busy) return this.deferred.defer(userIds, template);
    if (!(await this.tryRoute(userIds, template))) this.deferred.defer(userIds, template);
  }

  /**
   * Looks the users up and starts the publishes (`waitForPublishes`: and waits for them, retries and
   * DLQ included); false when the registry lookup failed (nothing sent).
   */
  private async tryRoute(
    userIds: readonly string[],
    template: BusEnvelope,
    waitForPublishes = false,
  ): Promise<boolean> {
    let presence;
    try {
      presence = await this.busBreaker.execute(() => this.registry.lookup(userIds, this.clock.nowMs()));
    } catch {
      return false;
    }
    const byInstance = new Map<string, DeviceRef[]>();
    for (const [userId, user] of presence) {
      for (const device of user.devices) {
        if (device.instanceId === this.options.instanceId) continue;
        if (template.exclude?.userId === userId && template.exclude.deviceId === device.deviceId) continue;
        let targets = byInstance.get(device.instanceId);
        if (targets === undefined) byInstance.set(device.instanceId, (targets = []));
        targets.push({ userId, deviceId: device.deviceId });
      }
    }
    const publishes: Promise<boolean>[] = [];
    for (const [instanceId, targets] of byInstance) {
      publishes.push(this.publishWithRetry(instanceId, { ...template, targets }));
    }
    if (waitForPublishes) await Promise.all(publishes);
    return true;
  }

  /**
   * Publish → retries with backoff → DLQ (unless `deadLetter` is false: a 'replace' to a dead instance
   * has nothing left to close, and is no deliverable frame). Never throws.
   */
  async publishWithRetry(
    instanceId: string,
    envelope: BusEnvelope,
    { deadLetter = true }: { deadLetter?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.busBreaker.execute(() => this.bus.publish(instanceId, envelope));
      return true;
    } catch (firstError) {
      if (this.retrying >= this.options.maxRetrying) {
        if (deadLetter) await this.park(instanceId, envelope, firstError, 1);
        return false;
      }
      this.retrying += 1;
      let attempts = 1;
      try {
        await this.retryPolicy.execute(() => {
          attempts += 1;
          return this.busBreaker.execute(() => this.bus.publish(instanceId, envelope));
        });
        return true;
      } catch (error) {
        if (deadLetter) await this.park(instanceId, envelope, error, attempts);
        return false;
      } finally {
        this.retrying -= 1;
      }
    }
  }

  private async park(
    instanceId: string,
    envelope: BusEnvelope,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const entry = {
      targetInstanceId: instanceId,
      envelope,
      error: error instanceof Error ? error.message : String(error),
      attempts,
      createdAtMs: this.clock.nowMs(),
    };
    try {
      await this.storeBreaker.execute(() => this.store.addDeadLetters([entry]));
      this.metrics.counters.storageTransactions += 1;
      this.metrics.counters.deadLettered += 1;
      this.deadLetters += 1;
    } catch {
      // Storage is down too: the message itself is durable and still in each recipient's inbox.
    }
  }

  /** Handles an envelope another instance addressed to this one. */
  receive(envelope: BusEnvelope): void {
    for (const target of envelope.targets) {
      const devices = this.connections.devices(target.userId);
      if (devices === undefined) continue;
      const deviceId = 'deviceId' in target ? target.deviceId : undefined;
      for (const connection of devices.values()) {
        if (deviceId !== undefined && connection.deviceId !== deviceId) continue;
        if (envelope.exclude?.userId === target.userId && envelope.exclude.deviceId === connection.deviceId)
          continue;
        if (envelope.kind === 'replace') {
          this.connections.close(connection, 4000, 'replaced by a newer connection of this device');
        } else if (
          envelope.kind === 'deliver' &&
          envelope.conversationId !== undefined &&
          envelope.seq !== undefined
        ) {
          const ref = { conversationId: envelope.conversationId, seq: envelope.seq } as StoredMessage;
          this.sendDeliver(connection, ref, envelope.frame, null);
        } else {
          this.connections.send(connection, envelope.frame);
        }
      }
    }
  }

  /**
   * Replays dead letters: each is routed again to the devices it was addressed to, wherever they are
   * connected now (here or another instance); devices now offline have the message in their inbox.
   * Only the addressed devices: the user's other devices got the message live when it was sent.
   * Entries that fail stay.
   */
  async replayDeadLetters(limit: number): Promise<{ replayed: number; remaining: number }> {
    let replayed = 0;
    let afterId = 0;
    while (replayed < limit) {
      const entries = await this.store.listDeadLetters(afterId, Math.min(100, limit - replayed));
      if (entries.length === 0) break;
      const done: number[] = [];
      for (const entry of entries) {
        afterId = entry.id;
        const ok = await this.replayOne(entry.envelope);
        if (ok) done.push(entry.id);
      }
      await this.store.removeDeadLetters(done);
      replayed += done.length;
      if (done.length === 0 && entries.length < 100) break;
    }
    const remaining = await this.store.countDeadLetters();
    this.deadLetters = remaining;
    return { replayed, remaining };
  }

  private async replayOne(envelope: BusEnvelope): Promise<boolean> {
    // Entries parked by older versions: a stale 'replace' must not close anyone's new connection,
    // and its empty `frame` is no protocol frame. Dropping it is the whole replay.
    if (envelope.kind === 'replace') return true;
    // userId → the addressed device ids (undefined = every device of the user).
    const wanted = new Map<string, Set<string> | undefined>();
    for (const target of envelope.targets) {
      if (!('deviceId' in target)) wanted.set(target.userId, undefined);
      else if (!wanted.has(target.userId)) wanted.set(target.userId, new Set([target.deviceId]));
      else wanted.get(target.userId)?.add(target.deviceId);
    }
    const addressed = (userId: string, deviceId: string): boolean => {
      if (envelope.exclude?.userId === userId && envelope.exclude.deviceId === deviceId) return false;
      const devices = wanted.get(userId);
      return devices === undefined || devices.has(deviceId);
    };
    const userIds = [...wanted.keys()];
    for (const userId of userIds) {
      for (const connection of this.connections.devices(userId)?.values() ?? []) {
        if (!addressed(userId, connection.deviceId)) continue;
        if (
          envelope.kind === 'deliver' &&
          envelope.conversationId !== undefined &&
          envelope.seq !== undefined
        ) {
          const ref = { conversationId: envelope.conversationId, seq: envelope.seq } as StoredMessage;
          this.sendDeliver(connection, ref, envelope.frame, null);
        } else this.connections.send(connection, envelope.frame);
      }
    }
    let presence;
    try {
      presence = await this.busBreaker.execute(() => this.registry.lookup(userIds, this.clock.nowMs()));
    } catch {
      return false;
    }
    for (const [userId, user] of presence) {
      for (const device of user.devices) {
        if (device.instanceId === this.options.instanceId || !addressed(userId, device.deviceId)) continue;
        try {
          const targets = [{ userId, deviceId: device.deviceId }];
          await this.busBreaker.execute(() => this.bus.publish(device.instanceId, { ...envelope, targets }));
        } catch {
          return false;
        }
      }
    }
    return true;
  }
}
