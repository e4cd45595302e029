/**
 * The cell of every generated script (TypeScript source kept as a string, between
 * k6/script-runtime.ts and k6/script-lifecycle.ts): one VU's `cellSize` users — connecting with
 * heartbeats and reconnects, groups, the open-model send schedule, offline breaks, receipts — and the
 * correctness checker (lost, duplicated, out of order), settled after the grace period.
 */
export const k6CellSource = String.raw`
// ---- one cell: cellSize users on one VU ----
interface Conversation {
  id: string;
  members: number[];
  group: boolean;
  ready: boolean;
}
interface User {
  index: number;
  id: string;
  token: string;
  ws: WebSocket | null;
  connected: boolean;
  everConnected: boolean;
  wantOnline: boolean;
  heartbeat: number | null;
  reconnectAttempt: number;
  timer: number | null;
  conversation: Conversation | null;
  rng: () => number;
  sent: number;
  /** Highest seq per conversation received on the current connection. */
  highest: Map<string, number>;
  /** Messages (conversation#seq) this user has received, over all its connections. */
  received: Set<string>;
  goesOffline: boolean;
}
interface Outgoing {
  sender: User;
  frame: Frame;
  intendedMs: number;
  acked: boolean;
  failed: boolean;
  attempts: number;
}


class Cell {
  readonly users: User[] = [];
  readonly conversations: Conversation[] = [];
  /** Sent, not yet ACKed nor finally rejected, by sender id + idempotency key. */
  readonly outgoing = new Map<string, Outgoing>();
  /** ACKed messages (conversation#seq) and the recipients that have not received them yet. */
  readonly expected = new Map<string, Set<number>>();
  readonly timers = new Set<number>();
  ready = false;
  finishing = false;
  finished = false;
  drain: number | null = null;
  reportedDuplicates = 0;
  reportedOutOfOrder = 0;
  readonly body: string;

  constructor(
    readonly cell: number,
    readonly setup: SetupData,
    readonly testStartEpochMs: number,
    readonly openEpochMs: number,
    readonly sendEndEpochMs: number,
  ) {
    this.body = 'x'.repeat(PLAN.bodyBytes);
    const size = PLAN.cellSize;
    const ttlSeconds = Math.ceil(PLAN.sendEndMs / 1000) + 3600;
    const prefix = 'k6-' + setup.runId + '-' + cell + '-';
    const offlineEvery = PLAN.offline ? PLAN.offline.fraction : 0;
    for (let j = 0; j < size; j++) {
      const id = prefix + j;
      this.users.push({
        index: j,
        id: id,
        token: mintToken(id, setup.httpUrl, ttlSeconds),
        ws: null,
        connected: false,
        everConnected: false,
        wantOnline: true,
        heartbeat: null,
        reconnectAttempt: 0,
        timer: null,
        conversation: null,
        rng: mulberry32(PLAN.seed * 1000003 + cell * 4099 + j),
        sent: 0,
        highest: new Map<string, number>(),
        received: new Set<string>(),
        goesOffline: Math.floor((j + 1) * offlineEvery) > Math.floor(j * offlineEvery),
      });
    }
    // Groups first (groupFraction of the users, in groups of groupSize), then 1:1 pairs.
    const grouped = Math.floor((size * PLAN.groupFraction) / PLAN.groupSize) * PLAN.groupSize;
    for (let start = 0; start + PLAN.groupSize <= grouped; start += PLAN.groupSize) {
      const members: number[] = [];
      for (let j = start; j < start + PLAN.groupSize; j++) members.push(j);
      this.addConversation('g:' + prefix + 'g' + start, members, true);
    }
    for (let j = grouped; j + 1 < size; j += 2) {
      const a = this.users[j].id;
      const b = this.users[j + 1].id;
      this.addConversation('dm:' + (a < b ? a + ':' + b : b + ':' + a), [j, j + 1], false);
    }
    if ((size - grouped) % 2 === 1 && size >= 2) {
      // The odd user out joins a 1:1 with the cell's first user; it only receives in that pair's
      // conversation when user 0 already has another one, which is fine: it still sends.
      const a = this.users[size - 1].id;
      const b = this.users[0].id;
      const odd = { id: 'dm:' + (a < b ? a + ':' + b : b + ':' + a), members: [size - 1, 0], group: false, ready: true };
      this.conversations.push(odd);
      this.users[size - 1].conversation = odd;
    }
  }

  conversationById(id: string): Conversation | null {
    for (const conversation of this.conversations) if (conversation.id === id) return conversation;
    return null;
  }

  addConversation(id: string, members: number[], group: boolean): void {
    const conversation = { id: id, members: members, group: group, ready: !group };
    this.conversations.push(conversation);
    for (const member of members) this.users[member].conversation = conversation;
  }

  /** Sends a frame if the user's socket is open (a closing socket must not be written to). */
  transmit(user: User, frame: unknown): boolean {
    const ws = user.ws;
    if (!ws || !user.connected || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  testMs(epochMs: number): number {
    return epochMs - this.testStartEpochMs;
  }

  later(delayMs: number, fn: () => void): number {
    const id = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, delayMs));
    this.timers.add(id);
    return id;
  }

  start(): void {
    const spacingMs = PLAN.segments.length > 0 ? this.cellSpacingMs() : 0;
    for (const user of this.users) {
      const intended = this.openEpochMs + user.index * spacingMs;
      this.later(intended - Date.now(), () => this.connect(user, intended));
    }
    // Start sending when every user said hello, or at the latest 10 s after the last planned connect.
    this.later(this.openEpochMs + this.users.length * spacingMs + 10000 - Date.now(), () => this.becomeReady());
    this.later(this.sendEndEpochMs - Date.now(), () => this.beginFinish());
    const offline = PLAN.offline;
    if (offline) {
      const leaveEpoch = this.testStartEpochMs + offline.atMs;
      const backEpoch = leaveEpoch + offline.awayMs;
      if (leaveEpoch > this.openEpochMs + this.users.length * spacingMs && backEpoch < this.sendEndEpochMs) {
        this.later(leaveEpoch - Date.now(), () => this.goOffline());
        this.later(backEpoch - Date.now(), () => this.comeBack(backEpoch));
      }
    }
  }

  cellSpacingMs(): number {
    for (const segment of PLAN.segments) {
      if (this.cell >= segment.firstCell && this.cell < segment.firstCell + segment.cells) {
        return segment.cellIntervalMs / PLAN.cellSize;
      }
    }
    return 0;
  }

  connect(user: User, intendedEpochMs: number): void {
    if (this.finished || !user.wantOnline) return;
    connectAttempts.add(1);
    const url = this.setup.wsUrl + (this.setup.wsUrl.indexOf('?') >= 0 ? '&' : '?') + 'token=' + user.token;
    const ws = new WebSocket(url, null, { tags: { name: 'capsim-ws' } });
    user.ws = ws;
    let helloSeen = false;
    ws.onmessage = (event) => {
      if (!event || typeof event.data !== 'string') return;
      let frame: Frame;
      try {
        frame = JSON.parse(event.data) as Frame;
      } catch (_error) {
        errorsCounter.add(1);
        return;
      }
      if (frame.type === 'hello') {
        helloSeen = true;
        this.onHello(user, ws, frame, intendedEpochMs);
      } else {
        this.onFrame(user, frame);
      }
    };
    ws.onerror = (event) => {
      if (!helloSeen && !this.finished) console.warn('capsim: websocket error for ' + user.id + ': ' + (event ? event.error : ''));
    };
    ws.onclose = () => {
      if (user.ws !== ws) return;
      user.ws = null;
      user.connected = false;
      if (user.heartbeat !== null) clearInterval(user.heartbeat);
      user.heartbeat = null;
      // A socket the script closed itself (the user going offline, the cell finishing) before its
      // hello arrived is not a failed connection: only unplanned closes before hello count.
      const deliberate = !user.wantOnline || this.finished;
      if (!helloSeen && !deliberate) {
        connectErrors.add(1);
        errorsCounter.add(1);
        addRate('connect_errors', true);
        addRate('errors', true);
      } else if (helloSeen && !deliberate) {
        reconnectsCounter.add(1);
        addRate('reconnects', true);
      }
      if (user.wantOnline && !this.finished) this.scheduleReconnect(user);
    };
  }

  scheduleReconnect(user: User): void {
    // Exponential backoff with full jitter: uniform in [0, min(max, initial · 2^attempt)].
    const ceiling = Math.min(PLAN.reconnectMaxMs, PLAN.reconnectInitialMs * Math.pow(2, user.reconnectAttempt));
    user.reconnectAttempt++;
    const delay = user.rng() * ceiling;
    this.later(delay, () => this.connect(user, Date.now()));
  }

  onHello(user: User, ws: WebSocket, frame: Frame, intendedEpochMs: number): void {
    if (user.ws !== ws) return;
    const now = Date.now();
    connectLatency.add(now - intendedEpochMs);
    addRate('connect_errors', false);
    addRate('reconnects', false);
    user.connected = true;
    user.reconnectAttempt = 0;
    // New connection: the order check is per connection.
    user.highest = new Map<string, number>();
    const serverHeartbeat = typeof frame.heartbeatMs === 'number' ? frame.heartbeatMs : 30000;
    const every = PLAN.heartbeatMs !== null ? PLAN.heartbeatMs : serverHeartbeat / 2;
    user.heartbeat = setInterval(() => {
      if (user.ws === ws) this.transmit(user, { type: 'ping', ts: Date.now() });
    }, every);
    const conversation = user.conversation;
    if (conversation && conversation.group && !conversation.ready && conversation.members[0] === user.index) {
      this.transmit(user, {
        type: 'group.create',
        requestId: 'create-' + conversation.id,
        conversationId: conversation.id,
        members: conversation.members.map((member) => this.users[member].id),
      });
    }
    if (!user.everConnected) {
      user.everConnected = true;
      this.maybeReady();
    } else {
      // Back after a disconnect: resend what was sent but not ACKed, with the same idempotency key
      // (the server answers duplicate: true with the stored seq if it had committed it).
      for (const entry of this.outgoing.values()) {
        if (entry.sender === user && !entry.acked && !entry.failed) {
          entry.attempts++;
          this.transmit(user, entry.frame);
        }
      }
    }
  }

  maybeReady(): void {
    if (this.ready) return;
    for (const user of this.users) if (!user.everConnected) return;
    for (const conversation of this.conversations) if (!conversation.ready) return;
    this.becomeReady();
  }

  becomeReady(): void {
    if (this.ready || this.finishing) return;
    this.ready = true;
    const fromMs = this.testMs(Date.now());
    for (const user of this.users) this.scheduleSend(user, nextArrivalMs(fromMs, user.rng, true));
  }

  scheduleSend(user: User, intendedTestMs: number): void {
    const intendedEpochMs = this.testStartEpochMs + intendedTestMs;
    if (!(intendedEpochMs < this.sendEndEpochMs)) return;
    // A late timer sends immediately with its original intended time (latency includes the lateness).
    user.timer = this.later(intendedEpochMs - Date.now(), () => {
      if (this.finishing) return;
      this.send(user, intendedEpochMs);
      this.scheduleSend(user, nextArrivalMs(intendedTestMs, user.rng, false));
    });
  }

  send(user: User, intendedEpochMs: number): void {
    const conversation = user.conversation;
    // Offline users do not send; a group that was never created cannot be sent to.
    if (!conversation || !conversation.ready || !user.connected || !user.ws || user.ws.readyState !== WebSocket.OPEN) return;
    user.sent++;
    const key = 'm' + user.sent;
    const frame: Frame = {
      type: 'send',
      conversationId: conversation.id,
      idempotencyKey: key,
      body: this.body,
      clientTs: intendedEpochMs,
    };
    this.outgoing.set(user.id + '|' + key, { sender: user, frame: frame, intendedMs: intendedEpochMs, acked: false, failed: false, attempts: 1 });
    messagesSent.add(1);
    addRate('errors', false);
    this.transmit(user, frame);
  }

  onFrame(user: User, frame: Frame): void {
    const now = Date.now();
    switch (frame.type) {
      case 'ack': {
        const outgoingKey = user.id + '|' + String(frame.idempotencyKey);
        const entry = this.outgoing.get(outgoingKey);
        if (!entry || entry.acked) return;
        entry.acked = true;
        this.outgoing.delete(outgoingKey);
        ackLatency.add(now - entry.intendedMs);
        messagesAcked.add(1);
        addRate('messages_acked', true);
        addRate('unacked', false);
        addRate('send_errors', false);
        const messageKey = String(frame.conversationId) + '#' + String(frame.seq);
        const conversation = this.conversationById(String(frame.conversationId));
        if (!conversation) return;
        // Every member but the sender must receive it; a delivery may even have beaten the ACK.
        const waiting = new Set<number>();
        for (const member of conversation.members) {
          if (member === user.index) continue;
          expectedDeliveries.add(1);
          if (this.users[member].received.has(messageKey)) {
            addRate('lost', false);
            addRate('messages_delivered', true);
          } else {
            waiting.add(member);
          }
        }
        if (waiting.size > 0) this.expected.set(messageKey, waiting);
        return;
      }
      case 'deliver':
        this.onDeliver(user, frame, now);
        return;
      case 'group.created': {
        for (const conversation of this.conversations) {
          if (conversation.id === frame.conversationId) conversation.ready = true;
        }
        this.maybeReady();
        return;
      }
      case 'pong':
        if (typeof frame.ts === 'number') heartbeatRtt.add(now - frame.ts);
        return;
      case 'error':
        this.onError(user, frame);
        return;
      case 'reconnect':
        // The server is shutting down this connection; the close handler reconnects with backoff.
        return;
      default:
        return;
    }
  }

  /**
   * The checker (same definitions as capsim's loadgen/metrics/checker.ts): a first delivery counts;
   * a "redelivery: true" copy of one the user already has is an allowed replay; a live copy of one it
   * already has is a duplicate; a first delivery below the highest seq this connection received for
   * the conversation is out of order.
   */
  onDeliver(user: User, frame: Frame, now: number): void {
    const conversationId = String(frame.conversationId);
    const seq = Number(frame.seq);
    const messageKey = conversationId + '#' + seq;
    const redelivery = frame.redelivery === true;
    const clientTs = typeof frame.clientTs === 'number' ? frame.clientTs : now;
    let duplicate = false;
    let outOfOrder = false;
    if (user.received.has(messageKey)) {
      if (redelivery) redeliveredCounter.add(1);
      else duplicate = true;
    } else {
      user.received.add(messageKey);
      const highest = user.highest.get(conversationId);
      if (highest !== undefined && seq < highest) outOfOrder = true;
      if (highest === undefined || seq > highest) user.highest.set(conversationId, seq);
      messagesDelivered.add(1);
      const waiting = this.expected.get(messageKey);
      if (waiting && waiting.delete(user.index)) {
        addRate('lost', false);
        addRate('messages_delivered', true);
        if (waiting.size === 0) this.expected.delete(messageKey);
      }
      if (redelivery) inboxLatency.add(now - clientTs);
      else deliveryLatency.add(now - clientTs);
    }
    if (duplicate) {
      duplicatedCounter.add(1);
      if (this.reportedDuplicates++ < 5) console.warn('capsim: duplicate live delivery of ' + messageKey + ' to ' + user.id);
    }
    if (outOfOrder) {
      outOfOrderCounter.add(1);
      if (this.reportedOutOfOrder++ < 5) console.warn('capsim: out-of-order delivery of ' + messageKey + ' to ' + user.id);
    }
    addRate('duplicated', duplicate);
    addRate('out_of_order', outOfOrder);
    if (PLAN.receipts) this.transmit(user, { type: 'receipt', conversationId: conversationId, seq: seq, status: 'delivered' });
  }


  onError(user: User, frame: Frame): void {
    errorsCounter.add(1);
    const code = String(frame.code);
    if (typeof frame.idempotencyKey !== 'string') {
      console.warn('capsim: error frame for ' + user.id + ': ' + code + ' ' + String(frame.message));
      return;
    }
    sendErrors.add(1, { code: code });
    const entry = this.outgoing.get(user.id + '|' + frame.idempotencyKey);
    if (!entry || entry.acked) return;
    const retryable = code === 'E_RATE_LIMITED' || code === 'E_OVERLOADED' || code === 'E_UNAVAILABLE';
    if (!retryable || entry.attempts >= 3 || this.finishing) {
      this.fail(user.id + '|' + frame.idempotencyKey, entry);
      return;
    }
    entry.attempts++;
    const delay = typeof frame.retryAfterMs === 'number' ? frame.retryAfterMs : 200;
    // Same idempotency key and clientTs: the server de-duplicates, latency keeps counting.
    this.later(delay, () => {
      if (!this.transmit(user, entry.frame)) this.fail(user.id + '|' + String(entry.frame.idempotencyKey), entry);
    });
  }

  fail(outgoingKey: string, entry: Outgoing): void {
    if (entry.failed) return;
    entry.failed = true;
    this.outgoing.delete(outgoingKey);
    addRate('send_errors', true);
    addRate('unacked', false);
    addRate('messages_acked', false);
  }

  goOffline(): void {
    if (this.finishing) return;
    for (const user of this.users) {
      if (!user.goesOffline) continue;
      user.wantOnline = false;
      if (user.ws) user.ws.close(1000, 'offline');
    }
  }

  comeBack(intendedEpochMs: number): void {
    for (const user of this.users) {
      if (!user.goesOffline || this.finished) continue;
      user.wantOnline = true;
      if (!user.ws) this.connect(user, intendedEpochMs);
    }
  }

  beginFinish(): void {
    if (this.finishing) return;
    this.finishing = true;
    this.ready = true;
    const deadline = Date.now() + PLAN.graceMs;
    // Wait for outstanding ACKs and deliveries (at most graceMs), then count what is missing.
    this.drain = setInterval(() => {
      if (Date.now() >= deadline || this.allAccountedFor()) this.finish();
    }, 50);
  }

  allAccountedFor(): boolean {
    return this.outgoing.size === 0 && this.expected.size === 0;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.drain !== null) clearInterval(this.drain);
    // Whatever is still outstanding after the grace period: sent but never ACKed, or ACKed and never
    // delivered to a recipient (lost).
    for (let i = 0; i < this.outgoing.size; i++) {
      unackedCounter.add(1);
      addRate('unacked', true);
      addRate('send_errors', false);
      addRate('messages_acked', false);
    }
    let reported = 0;
    for (const [messageKey, waiting] of this.expected) {
      // Name the first few lost messages: what a server developer needs to find them.
      if (reported < 5) {
        reported++;
        const names: string[] = [];
        waiting.forEach((index) => names.push(this.users[index].id + (this.users[index].goesOffline ? ' (went offline)' : '')));
        console.warn('capsim: lost ' + messageKey + ' for ' + names.join(', '));
      }
      for (let i = 0; i < waiting.size; i++) {
        lostCounter.add(1);
        addRate('lost', true);
        addRate('messages_delivered', false);
      }
    }
    for (const id of this.timers) clearTimeout(id);
    for (const user of this.users) {
      user.wantOnline = false;
      if (user.heartbeat !== null) clearInterval(user.heartbeat);
      user.heartbeat = null;
      if (user.ws) user.ws.close(1000, 'done');
    }
  }
}
`;
