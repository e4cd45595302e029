/**
 * Who talks to whom. Users are partitioned into conversations (1:1 pairs and groups); every member of
 * a conversation lives in the same worker, so one worker sees both ends of every message it checks and
 * delivery latency never mixes two hosts' clocks.
 */
import type { PlannedConversation, ProtocolAdapter } from '../protocol/adapter.js';

export function userIdFor(runId: string, index: number): string {
  return `${runId}-u${index}`;
}

export function buildConversations(
  users: number,
  groupFraction: number,
  groupSize: number,
  runId: string,
  adapter: ProtocolAdapter,
): PlannedConversation[] {
  const conversations: PlannedConversation[] = [];
  const groupCount = Math.floor((users * groupFraction) / groupSize);
  let next = 0;
  const take = (n: number) => Array.from({ length: n }, () => userIdFor(runId, next++));
  for (let g = 0; g < groupCount; g += 1) {
    conversations.push({ conversationId: `g:${runId}-${g}`, members: take(groupSize), kind: 'group' });
  }
  while (users - next >= 2) {
    if (users - next === 3) {
      conversations.push({ conversationId: `g:${runId}-t${next}`, members: take(3), kind: 'group' });
      continue;
    }
    const [a, b] = take(2);
    conversations.push({
      conversationId: adapter.directConversationId(a, b),
      members: [a, b],
      kind: 'direct',
    });
  }
  return conversations;
}

/** Splits conversations into `count` contiguous segments with about the same number of users. */
export function splitSegments(conversations: PlannedConversation[], count: number): PlannedConversation[][] {
  const total = conversations.reduce((sum, c) => sum + c.members.length, 0);
  const segments: PlannedConversation[][] = Array.from({ length: count }, () => []);
  let users = 0;
  for (const conversation of conversations) {
    const index = Math.min(count - 1, Math.floor((users / total) * count));
    segments[index].push(conversation);
    users += conversation.members.length;
  }
  return segments;
}
