/** The chat screen with the real message list (only the stream is faked): stored messages render with the
 * shared test ids, and the list's own Regenerate button goes through truncate then prepare-stream. */
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ChatPage } from "./ChatPage";
import { API, chatApi, conversation, message, renderChat, server, setupChatServer } from "./testKit/api";
import { resetStream, streamControl } from "./testKit/fakeStream";

vi.mock("./stream/useReplyStream", () => import("./testKit/fakeStream"));

setupChatServer();
beforeEach(resetStream);

describe("ChatPage with the real message list", () => {
  it("renders stored messages and regenerates the last reply", async () => {
    const calls: string[] = [];
    server.use(
      http.delete(`${API}/api/chat/conversations/c1/messages`, ({ request }) => {
        calls.push(`DELETE ${new URL(request.url).search}`);
        return new HttpResponse(null, { status: 204 });
      }),
      http.post(`${API}/api/chat/conversations/c1/prepare-stream`, async ({ request }) => {
        calls.push(`POST ${((await request.json()) as { content: string }).content}`);
        return HttpResponse.json({
          stream_url: "http://stream.test/stream/t",
          token: "t",
          expires_at: "2026-01-01T00:05:00Z",
          conversation_id: "c1",
          user_message_id: "u9",
        });
      }),
      ...chatApi({
        conversations: [conversation("c1", "Chat", { model: "demo/echo" })],
        messages: { c1: [message("u1", "user", "Why is the sky blue?"), message("a1", "assistant", "Rayleigh scattering.")] },
      }),
    );
    renderChat(<ChatPage />, "/c/c1");
    expect(await screen.findByTestId("user-message")).toHaveTextContent("Why is the sky blue?");
    expect(await screen.findByTestId("assistant-message")).toHaveTextContent("Rayleigh scattering.");
    await waitFor(() => expect(screen.getByRole("button", { name: "Regenerate" })).toBeEnabled());
    await userEvent.click(screen.getByRole("button", { name: "Regenerate" }));
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    expect(calls).toEqual(["DELETE ?from_id=u1", "POST Why is the sky blue?"]);
  });
});
