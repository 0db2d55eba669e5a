/** K-way merge of per-file message iterators into one log-time order. */
import type { SourceMessage } from "./source";

/**
 * Yields the messages of all `inputs` by ascending log time; equal times keep input order,
 * so split bag parts replay in recording order. Each input must already be sorted.
 */
export async function* mergeByLogTime(inputs: AsyncIterable<SourceMessage>[]): AsyncGenerator<SourceMessage> {
  const iterators = inputs.map((input) => input[Symbol.asyncIterator]());
  const heads: (SourceMessage | undefined)[] = await Promise.all(iterators.map(async (iterator) => (await iterator.next()).value ?? undefined));

  try {
    for (;;) {
      let best = -1;
      for (let index = 0; index < heads.length; index += 1) {
        const head = heads[index];
        if (head !== undefined && (best < 0 || head.logTimeNs < (heads[best] as SourceMessage).logTimeNs)) {
          best = index;
        }
      }
      if (best < 0) {
        return;
      }
      yield heads[best] as SourceMessage;
      const next = await iterators[best].next();
      heads[best] = next.done === true ? undefined : next.value;
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}
