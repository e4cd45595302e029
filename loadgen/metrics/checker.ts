/**
 * The correctness checker: every ACKed message must reach every other member of its conversation
 * exactly once, in sequence order. It sees ACKs (sender side) and deliveries (recipient side) in any
 * order — a delivery often overtakes its ACK — and settles the books at the end of the grace period.
 *
 * Definitions (PROTOCOL.md §5: exactly-once within a connection, at-least-once across reconnects):
 *   lost          ACKed (conversation, seq) never delivered to a member other than the sender
 *   duplicated    a live (non-redelivery) delivery of a (conversation, seq) the recipient already had
 *                 on the same connection
 *   redelivered   a `redelivery: true` copy of one it already had, or a copy on another connection
 *                 (allowed: inbox/sync replay, at-least-once across reconnects)
 *   out_of_order  a delivery whose seq is below the highest seq this connection already received for
 *                 that conversation (gap-fill answers to our own `sync` are exempt)
 *   seq_gaps      holes in the ACKed seqs of a conversation (the server promises 1, 2, 3, … per
 *                 conversation; every sender of a capsim conversation is in the same worker, so the
 *                 worker sees all of them)
 *   unacked_delivered  deliveries of a seq the sender never saw ACKed (ACK lost or still in flight)
 */

export interface CheckerCounts {
  /** ACKed messages × recipients: deliveries the server owed. */
  expectedDeliveries: number;
  /** First deliveries of ACKed messages. */
  deliveredExpected: number;
  deliveries: number;
  lost: number;
  duplicated: number;
  redelivered: number;
  outOfOrder: number;
  seqGaps: number;
  unackedDelivered: number;
}

export type DeliveryVerdict = 'first' | 'duplicate' | 'redelivered';

/** A concrete faulty delivery, kept (the first few of each kind) so a failure can be traced. */
export interface CheckerSample {
  kind: 'lost' | 'duplicated' | 'out_of_order';
  recipient: string;
  conversationId: string;
  seq: number;
  /** Connection of the recipient (a counter per worker): same id = same socket. */
  connectionId?: number;
  /** The first delivery's connection, for duplicates. */
  firstConnectionId?: number;
  /** Highest seq already received on this connection, for out-of-order deliveries. */
  highestSeq?: number;
}

const maxSamplesPerKind = 10;

interface ConversationBook {
  members: string[];
  /** seq → sender of each ACKed message. */
  acked: Map<number, string>;
  maxAckedSeq: number;
}

export class DeliveryChecker {
  private readonly conversations = new Map<string, ConversationBook>();
  /** `${recipient}\n${conversation}` → seq received → connection that first received it. */
  private readonly received = new Map<string, Map<number, number>>();
  /** `${recipient}\n${conversation}\n${connection}` → highest seq received on that connection. */
  private readonly highest = new Map<string, number>();
  private counts = { deliveries: 0, duplicated: 0, redelivered: 0, outOfOrder: 0 };
  readonly samples: CheckerSample[] = [];
  /** Deliveries still owed (ACKed, recipient has not got it yet). */
  private owed = 0;

  addConversation(conversationId: string, members: string[]): void {
    this.conversations.set(conversationId, { members, acked: new Map(), maxAckedSeq: 0 });
  }

  /** Records an ACK. Returns false if it is a second ACK of the same (conversation, seq). */
  acked(conversationId: string, seq: number, senderId: string): boolean {
    const book = this.book(conversationId);
    if (book.acked.has(seq)) return false;
    book.acked.set(seq, senderId);
    book.maxAckedSeq = Math.max(book.maxAckedSeq, seq);
    for (const member of book.members) {
      if (member !== senderId && !this.received.get(key(member, conversationId))?.has(seq)) this.owed += 1;
    }
    return true;
  }

  /**
   * Records a delivery to `recipient` over connection `connectionId`. `gapFill` marks answers to a
   * sync this client sent (exempt from the order check).
   */
  delivered(
    recipient: string,
    conversationId: string,
    seq: number,
    connectionId: number,
    redelivery: boolean,
    gapFill = false,
  ): DeliveryVerdict {
    this.counts.deliveries += 1;
    const receivedKey = key(recipient, conversationId);
    let seqs = this.received.get(receivedKey);
    if (!seqs) {
      seqs = new Map();
      this.received.set(receivedKey, seqs);
    }
    const connectionKey = `${receivedKey}\n${connectionId}`;
    const highest = this.highest.get(connectionKey) ?? 0;
    const firstConnectionId = seqs.get(seq);
    if (firstConnectionId !== undefined) {
      if (redelivery || firstConnectionId !== connectionId) {
        this.counts.redelivered += 1;
        return 'redelivered';
      }
      this.counts.duplicated += 1;
      if (this.sampleRoom('duplicated')) {
        this.samples.push({
          kind: 'duplicated',
          recipient,
          conversationId,
          seq,
          connectionId,
          firstConnectionId,
        });
      }
      return 'duplicate';
    }
    seqs.set(seq, connectionId);
    if (seq < highest && !gapFill) {
      this.counts.outOfOrder += 1;
      if (this.sampleRoom('out_of_order'))
        this.samples.push({
          kind: 'out_of_order',
          recipient,
          conversationId,
          seq,
          connectionId,
          highestSeq: highest,
        });
    }
    if (seq > highest) this.highest.set(connectionKey, seq);
    const book = this.conversations.get(conversationId);
    const sender = book?.acked.get(seq);
    if (sender !== undefined && sender !== recipient) this.owed -= 1;
    return 'first';
  }

  /** Cheap running counts for live views (O(1), unlike result()). */
  liveCounts(): {
    deliveries: number;
    firstDeliveries: number;
    duplicated: number;
    outOfOrder: number;
    outstanding: number;
  } {
    return {
      deliveries: this.counts.deliveries,
      firstDeliveries: this.counts.deliveries - this.counts.duplicated - this.counts.redelivered,
      duplicated: this.counts.duplicated,
      outOfOrder: this.counts.outOfOrder,
      outstanding: this.owed,
    };
  }

  /** Deliveries still owed right now (the drain phase waits for this to reach 0). */
  get outstanding(): number {
    return this.owed;
  }

  /** Users that are still owed at least one delivery (the drain phase brings them back online). */
  usersOwed(): Set<string> {
    const users = new Set<string>();
    for (const [conversationId, book] of this.conversations) {
      for (const [seq, sender] of book.acked) {
        for (const member of book.members) {
          if (member !== sender && !this.received.get(key(member, conversationId))?.has(seq))
            users.add(member);
        }
      }
    }
    return users;
  }

  result(): CheckerCounts {
    let expected = 0;
    let lost = 0;
    let seqGaps = 0;
    let unackedDelivered = 0;
    for (const [conversationId, book] of this.conversations) {
      for (const [seq, sender] of book.acked) {
        for (const member of book.members) {
          if (member === sender) continue;
          expected += 1;
          if (!this.received.get(key(member, conversationId))?.has(seq)) lost += 1;
        }
      }
      seqGaps += book.maxAckedSeq - book.acked.size;
      for (const member of book.members) {
        for (const seq of this.received.get(key(member, conversationId))?.keys() ?? [])
          if (!book.acked.has(seq)) unackedDelivered += 1;
      }
    }
    return {
      expectedDeliveries: expected,
      deliveredExpected: expected - lost,
      deliveries: this.counts.deliveries,
      lost,
      duplicated: this.counts.duplicated,
      redelivered: this.counts.redelivered,
      outOfOrder: this.counts.outOfOrder,
      seqGaps,
      unackedDelivered,
    };
  }

  private sampleRoom(kind: CheckerSample['kind']): boolean {
    return this.samples.filter((sample) => sample.kind === kind).length < maxSamplesPerKind;
  }

  /** Samples of faulty deliveries, including the first few lost ones (computed now). */
  faultSamples(): CheckerSample[] {
    const lost: CheckerSample[] = [];
    for (const [conversationId, book] of this.conversations) {
      for (const [seq, sender] of book.acked) {
        for (const member of book.members) {
          if (lost.length >= maxSamplesPerKind) return [...this.samples, ...lost];
          if (member !== sender && !this.received.get(key(member, conversationId))?.has(seq))
            lost.push({ kind: 'lost', recipient: member, conversationId, seq });
        }
      }
    }
    return [...this.samples, ...lost];
  }

  private book(conversationId: string): ConversationBook {
    const book = this.conversations.get(conversationId);
    if (!book) throw new Error(`checker: unknown conversation ${conversationId}`);
    return book;
  }
}

function key(user: string, conversationId: string): string {
  return `${user}\n${conversationId}`;
}

export function emptyCheckerCounts(): CheckerCounts {
  return {
    expectedDeliveries: 0,
    deliveredExpected: 0,
    deliveries: 0,
    lost: 0,
    duplicated: 0,
    redelivered: 0,
    outOfOrder: 0,
    seqGaps: 0,
    unackedDelivered: 0,
  };
}

export function addCheckerCounts(a: CheckerCounts, b: CheckerCounts): CheckerCounts {
  const sum = emptyCheckerCounts();
  for (const field of Object.keys(sum) as (keyof CheckerCounts)[]) sum[field] = a[field] + b[field];
  return sum;
}
