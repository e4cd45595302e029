import { describe, expect, it } from 'vitest';
import { DeliveryChecker } from './checker.js';

function checker(): DeliveryChecker {
  const c = new DeliveryChecker();
  c.addConversation('dm:a:b', ['a', 'b']);
  c.addConversation('g:1', ['a', 'b', 'c']);
  return c;
}

describe('DeliveryChecker', () => {
  it('a clean run has no lost, duplicated or out-of-order deliveries, whatever order ACKs and deliveries arrive in', () => {
    const c = checker();
    c.delivered('b', 'dm:a:b', 1, 1, false); // delivery overtakes the ACK
    c.acked('dm:a:b', 1, 'a');
    c.acked('dm:a:b', 2, 'a');
    c.delivered('b', 'dm:a:b', 2, 1, false);
    c.acked('g:1', 1, 'c');
    c.delivered('a', 'g:1', 1, 1, false);
    expect(c.outstanding).toBe(1);
    expect([...c.usersOwed()]).toEqual(['b']);
    c.delivered('b', 'g:1', 1, 1, false);
    expect(c.outstanding).toBe(0);
    expect(c.result()).toMatchObject({
      expectedDeliveries: 4,
      deliveredExpected: 4,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      seqGaps: 0,
    });
  });

  it('counts each fault as its own result', () => {
    const c = checker();
    for (const seq of [1, 2, 3, 4]) c.acked('dm:a:b', seq, 'a');
    c.delivered('b', 'dm:a:b', 1, 1, false);
    c.delivered('b', 'dm:a:b', 1, 1, false); // duplicate on the same connection
    c.delivered('b', 'dm:a:b', 3, 1, false);
    c.delivered('b', 'dm:a:b', 2, 1, false); // out of order
    c.delivered('b', 'dm:a:b', 3, 2, true); // replay after reconnect: allowed
    c.delivered('b', 'dm:a:b', 3, 3, false); // live copy on another connection: at-least-once across reconnects
    // seq 4 never arrives: lost. seq 6 ACKed without 5: a gap in the server's numbering.
    c.acked('dm:a:b', 6, 'b');
    c.delivered('a', 'dm:a:b', 6, 1, false);
    c.delivered('a', 'dm:a:b', 9, 1, false); // delivered but never ACKed
    expect(c.result()).toMatchObject({
      lost: 1,
      duplicated: 1,
      redelivered: 2,
      outOfOrder: 1,
      seqGaps: 1,
      unackedDelivered: 1,
    });
    expect(
      c
        .faultSamples()
        .map((sample) => sample.kind)
        .sort(),
    ).toEqual(['duplicated', 'lost', 'out_of_order']);
  });

  it('exempts gap-fill answers and new connections from the order check', () => {
    const c = checker();
    for (const seq of [1, 2, 3]) c.acked('dm:a:b', seq, 'a');
    c.delivered('b', 'dm:a:b', 3, 1, false);
    c.delivered('b', 'dm:a:b', 1, 2, true); // new connection, inbox replay
    c.delivered('b', 'dm:a:b', 2, 2, true, true);
    expect(c.result()).toMatchObject({ lost: 0, outOfOrder: 0, duplicated: 0 });
  });
});
