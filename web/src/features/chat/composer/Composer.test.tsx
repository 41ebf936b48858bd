import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { Composer } from "./Composer";

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  render(<Composer onSend={onSend} onStop={onStop} streaming={false} blockedReason={null} {...props} />);
  return { onSend, onStop, box: screen.getByRole("textbox", { name: "Message" }) };
}

afterEach(cleanup);

describe("Composer", () => {
  it("sends on Enter and empties the box", async () => {
    const { onSend, box } = setup();
    await userEvent.type(box, "Hello{Enter}");
    expect(onSend).toHaveBeenCalledWith("Hello");
    expect(box).toHaveValue("");
  });

  it("starts a new line on Shift+Enter without sending", async () => {
    const { onSend, box } = setup();
    await userEvent.type(box, "one{Shift>}{Enter}{/Shift}two");
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue("one\ntwo");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(onSend).toHaveBeenCalledWith("one\ntwo");
  });

  it("does not send an empty message", async () => {
    const { onSend, box } = setup();
    await userEvent.type(box, "   {Enter}");
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
  });

  it("stops the stream on Esc and with the Stop button, and does not send while streaming", async () => {
    const { onSend, onStop, box } = setup({ streaming: true });
    expect(screen.queryByRole("button", { name: "Send" })).not.toBeInTheDocument();
    await userEvent.type(box, "next{Enter}");
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue("next");
    await userEvent.keyboard("{Escape}");
    expect(onStop).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(onStop).toHaveBeenCalledTimes(2);
    expect(screen.getByText(/A reply is streaming/)).toBeInTheDocument();
  });

  it("explains why sending is disabled", async () => {
    const { onSend, box } = setup({ blockedReason: "No model is available: an operator has to configure a provider." });
    await userEvent.type(box, "Hi{Enter}");
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    expect(screen.getByText(/No model is available/)).toBeInTheDocument();
  });
});
