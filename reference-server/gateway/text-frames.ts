/**
 * Server → client WebSocket text frames, several encoded into one buffer (RFC 6455 §5.2: FIN + text
 * opcode, no mask from a server, 7-bit / 16-bit / 64-bit payload length). The gateway sends every frame
 * of one event-loop turn to a socket as one write: after a group commit that is the ACKs of a sender's
 * whole batch, or a recipient's deliveries. `ws.send` per frame cost a header allocation, two stream
 * writes and a string conversion in writev each — about a tenth of the gateway's CPU per message.
 */
export function encodeTextFrames(texts: readonly string[]): Buffer {
  // Each length is measured once (measuring flattens a concatenated string and walks it).
  const lengths = new Array<number>(texts.length);
  let total = 0;
  for (let i = 0; i < texts.length; i += 1) {
    const bytes = Buffer.byteLength(texts[i], 'utf8');
    lengths[i] = bytes;
    total += bytes + headerBytes(bytes);
  }
  const buffer = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < texts.length; i += 1) {
    const text = texts[i];
    const bytes = lengths[i];
    buffer[offset] = 0x81; // FIN | opcode 1 (text)
    if (bytes < 126) {
      buffer[offset + 1] = bytes;
      offset += 2;
    } else if (bytes < 65_536) {
      buffer[offset + 1] = 126;
      buffer.writeUInt16BE(bytes, offset + 2);
      offset += 4;
    } else {
      buffer[offset + 1] = 127;
      buffer.writeUInt32BE(Math.floor(bytes / 2 ** 32), offset + 2);
      buffer.writeUInt32BE(bytes >>> 0, offset + 6);
      offset += 10;
    }
    offset += buffer.write(text, offset, 'utf8');
  }
  return buffer;
}

function headerBytes(payloadBytes: number): number {
  return payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
}
