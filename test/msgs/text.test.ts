import { strict as assert } from "node:assert";

import fc from "fast-check";

import { deserializeMessage, serializeMessage, toAsciiText } from "../../src/msgs";

describe("msgs/toAsciiText", () => {
  const cases: Array<[string, string]> = [
    ["grab the red cup", "grab the red cup"],
    ["the caf\u00e9 mug", "the cafe mug"],
    ["don\u2019t take the \u201cbig\u201d one", "don't take the \"big\" one"],
    ["the cup \u2014 no, the bowl\u2026", "the cup - no, the bowl..."],
    ["\uff52\uff45\uff44 cup", "red cup"],
    ["the \u676f", "the ?"],
    ["the \u{1F375} cup", "the ? cup"],
  ];
  for (const [input, expected] of cases) {
    it(`converts ${JSON.stringify(input)}`, () => {
      assert.equal(toAsciiText(input), expected);
    });
  }

  it("makes any text serializable", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const ascii = toAsciiText(text);
        const decoded = deserializeMessage<{ data: string }>("std_msgs/msg/String", serializeMessage("std_msgs/msg/String", { data: ascii }));
        assert.equal(decoded.data, ascii);
      }),
    );
  });
});
