/**
 * Maps a field path (e.g. ['workload', 'peakFactor']) back to the line and column where the YAML
 * document wrote it, so every schema problem can name its place in the file.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourceFile {
  /** Path as shown to the user. */
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

export interface Location {
  file: string;
  line: number;
  column: number;
}

function positionOf(source: SourceFile, offset: number): Location {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, column: col };
}

/** The node at `path`, or undefined if the document does not contain it. */
function nodeAt(source: SourceFile, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = source.document.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else return undefined;
  }
  return node as Node | undefined;
}

/** Location of the key `key` inside the map at `path` (for unknown fields). */
export function locateKey(
  source: SourceFile,
  path: readonly PropertyKey[],
  key: string,
): Location | undefined {
  const node = nodeAt(source, path);
  if (!isMap(node)) return undefined;
  const pair = node.items.find(
    (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key,
  );
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? positionOf(source, range[0]) : undefined;
}

/** Location of the value at `path`, or of its nearest ancestor that the document contains. */
export function locate(
  source: SourceFile,
  path: readonly PropertyKey[],
): { location: Location; exact: boolean } | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = nodeAt(source, path.slice(0, length));
    const range = node?.range;
    if (range) return { location: positionOf(source, range[0]), exact: length === path.length };
  }
  return undefined;
}
