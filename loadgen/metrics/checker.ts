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

import { SeqTable } from './seq-table.js';

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

/** What one user received of one conversation. */
interface RecipientLog {
  /** seq → 1 + the connection that first received it. */
  received: SeqTable;
  /** connection → highest seq received on it. */
  highest: Map<number, number>;
}

interface ConversationBook {
  members: string[];
  /** Each member's log, and that of any other user a delivery of this conversation reached. */
  logs: Map<string, RecipientLog>;
  /** seq → sender of each ACKed message, as 1 + its index in `senders`. */
  acked: SeqTable;
  senders: string[];
  senderNumbers: Map<string, number>;
  maxAckedSeq: number;
}

/**
 * The books are per conversation and, inside it, per recipient, so a delivery costs two lookups by the
 * strings it already has (conversation id, recipient id) and two array reads (SeqTable), with no key
 * strings built per message.
 */
export class DeliveryChecker {
  private readonly conversations = new Map<string, ConversationBook>();
  /** Conversations never added that deliveries still named: checked for duplicates and order only. */
  private readonly strays = new Map<string, ConversationBook>();
  private counts = { deliveries: 0, duplicated: 0, redelivered: 0, outOfOrder: 0 };
  readonly samples: CheckerSample[] = [];
  private readonly sampled = { lost: 0, duplicated: 0, out_of_order: 0 };
  /** Deliveries still owed (ACKed, recipient has not got it yet). */
  private owed = 0;

  addConversation(conversationId: string, members: string[]): void {
    this.conversations.set(conversationId, newBook(members));
  }

  /** Records an ACK. Returns false if it is a second ACK of the same (conversation, seq). */
  acked(conversationId: string, seq: number, senderId: string): boolean {
    const book = this.book(conversationId);
    if (book.acked.has(seq)) return false;
    let sender = book.senderNumbers.get(senderId);
    if (sender === undefined) {
      sender = book.senders.push(senderId);
      book.senderNumbers.set(senderId, sender);
    }
    book.acked.set(seq, sender);
    book.maxAckedSeq = Math.max(book.maxAckedSeq, seq);
    for (const member of book.members) {
      if (member !== senderId && !book.logs.get(member)?.received.has(seq)) this.owed += 1;
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
    const book = this.conversations.get(conversationId) ?? this.stray(conversationId);
    let log = book.logs.get(recipient);
    if (log === undefined) {
      log = newLog();
      book.logs.set(recipient, log);
    }
    const highest = log.highest.get(connectionId) ?? 0;
    const first = log.received.get(seq);
    if (first !== undefined) {
      const firstConnectionId = first - 1;
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
    log.received.set(seq, connectionId + 1);
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
    if (seq > highest) log.highest.set(connectionId, seq);
    const sender = book.acked.get(seq);
    if (sender !== undefined && book.senders[sender - 1] !== recipient) this.owed -= 1;
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
    this.forEachOwed((member) => {
      users.add(member);
      return true;
    });
    return users;
  }

  result(): CheckerCounts {
    let expected = 0;
    let lost = 0;
    let seqGaps = 0;
    let unackedDelivered = 0;
    for (const book of this.conversations.values()) {
      book.acked.forEach((sender, seq) => {
        for (const member of book.members) {
          if (member === book.senders[sender - 1]) continue;
          expected += 1;
          if (!book.logs.get(member)?.received.has(seq)) lost += 1;
        }
      });
      seqGaps += book.maxAckedSeq - book.acked.size;
      for (const member of book.members) {
        book.logs.get(member)?.received.forEach((_connection, seq) => {
          if (!book.acked.has(seq)) unackedDelivered += 1;
        });
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

  private sampleRoom(kind: 'duplicated' | 'out_of_order'): boolean {
    if (this.sampled[kind] >= maxSamplesPerKind) return false;
    this.sampled[kind] += 1;
    return true;
  }

  /** Samples of faulty deliveries, including the first few lost ones (computed now). */
  faultSamples(): CheckerSample[] {
    const lost: CheckerSample[] = [];
    this.forEachOwed((recipient, conversationId, seq) => {
      if (lost.length >= maxSamplesPerKind) return false;
      lost.push({ kind: 'lost', recipient, conversationId, seq });
      return true;
    });
    return [...this.samples, ...lost];
  }

  /** Calls `visit` for every (member, conversation, seq) ACKed and not received, until it returns false. */
  private forEachOwed(visit: (member: string, conversationId: string, seq: number) => boolean): void {
    for (const [conversationId, book] of this.conversations) {
      let going = true;
      book.acked.forEach((sender, seq) => {
        if (!going) return;
        for (const member of book.members) {
          if (member === book.senders[sender - 1] || book.logs.get(member)?.received.has(seq)) continue;
          if (!visit(member, conversationId, seq)) {
            going = false;
            return;
          }
        }
      });
      if (!going) return;
    }
  }

  private book(conversationId: string): ConversationBook {
    const book = this.conversations.get(conversationId);
    if (!book) throw new Error(`checker: unknown conversation ${conversationId}`);
    return book;
  }

  private stray(conversationId: string): ConversationBook {
    let book = this.strays.get(conversationId);
    if (book === undefined) {
      book = newBook([]);
      this.strays.set(conversationId, book);
    }
    return book;
  }
}

function newLog(): RecipientLog {
  return { received: new SeqTable(), highest: new Map() };
}

function newBook(members: string[]): ConversationBook {
  const logs = new Map<string, RecipientLog>();
  for (const member of members) logs.set(member, newLog());
  return {
    members,
    logs,
    acked: new SeqTable(),
    senders: [...members],
    senderNumbers: new Map(members.map((member, i) => [member, i + 1])),
    maxAckedSeq: 0,
  };
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
