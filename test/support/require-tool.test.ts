import { describe, expect, it } from "vitest";
import { findTool, isCI, missingMessage, requireTool } from "./require-tool.js";

const none = () => null;

describe("requireTool", () => {
  it("under CI=true a missing tool throws, naming it, where it was looked for and how to install it", () => {
    expect(() => requireTool("chromium", { CI: "true" }, none)).toThrow(
      /^CI=true: chromium missing: Chromium \(headless, for the HTML report\) not found \(looked for chromium on PATH, chromium-browser on PATH, \/usr\/bin\/chromium.*\); install it with scripts\/test-deps.sh \(Debian package chromium\)/,
    );
    expect(() => requireTool("mosquitto", { CI: "1" }, none)).toThrow(/mosquitto missing: the Mosquitto MQTT broker not found/);
    expect(() => requireTool("pytorch", { CI: "true" }, none)).toThrow(/pytorch missing: PyTorch for \/usr\/bin\/python3 .* with torch importable.*python3-torch/);
  });

  it("outside CI a missing tool gives no path and a skip note naming it", () => {
    expect(requireTool("chromium", {}, none)).toEqual({ path: null, skipNote: " (skipped: chromium missing, see scripts/test-deps.sh)" });
    expect(requireTool("chromium", { CI: "false" }, none).path).toBeNull();
  });

  it("a tool that is there is returned, CI or not", () => {
    expect(requireTool("mosquitto", { CI: "true" }, () => "/opt/m")).toEqual({ path: "/opt/m", skipNote: "" });
  });

  it("LAM_TEST_HIDE_TOOLS makes a tool count as missing (to try a machine without it)", () => {
    expect(findTool("chromium", { LAM_TEST_HIDE_TOOLS: "mosquitto,chromium" })).toBeNull();
    expect(() => requireTool("chromium", { CI: "true", LAM_TEST_HIDE_TOOLS: "chromium" })).toThrow(missingMessage("chromium"));
  });

  it("CI is read as GitHub/GitLab set it", () => {
    expect([isCI({ CI: "true" }), isCI({ CI: "1" }), isCI({ CI: "false" }), isCI({})]).toEqual([true, true, false, false]);
  });
});
