import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { useRef } from "react";
import { describe, expect, it, vi } from "vitest";

import type { Conversation, Message } from "@/api/types";

import { API, chatApi, conversation, message, renderChat, server, setupChatServer } from "../testKit/api";
import { ConversationSidebar } from "./ConversationSidebar";

setupChatServer();

function Sidebar() {
  const searchRef = useRef<HTMLInputElement>(null);
  return <ConversationSidebar activeId="c3" searchRef={searchRef} onNewChat={() => {}} onNavigate={() => {}} />;
}

function many(count: number): Conversation[] {
  return Array.from({ length: count }, (_, i) => conversation(`c${i + 1}`, `Topic ${i + 1}`));
}

function links() {
  return within(screen.getByRole("navigation", { name: "Conversations" })).getAllByRole("link");
}

describe("ConversationSidebar", () => {
  it("lists the first page newest first and loads the next with Load more", async () => {
    server.use(...chatApi({ conversations: many(25) }));
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(20));
    expect(links()[0]).toHaveTextContent("Topic 1");
    expect(links()[0]).toHaveAttribute("href", "/c/c1");
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(links()).toHaveLength(25));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("searches titles case-insensitively, loading further pages until one matches", async () => {
    const conversations = many(45);
    conversations[42] = conversation("c43", "Holiday PLANS");
    const pages: string[] = [];
    server.use(
      http.get(`${API}/api/chat/conversations`, ({ request }) => {
        pages.push(new URL(request.url).searchParams.get("cursor") ?? "first");
        return undefined;
      }),
      ...chatApi({ conversations }),
    );
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(20));
    await userEvent.type(screen.getByRole("textbox", { name: "Search conversations" }), "holiday plans");
    await waitFor(() => expect(links()).toHaveLength(1));
    expect(links()[0]).toHaveTextContent("Holiday PLANS");
    expect(pages).toEqual(["first", "20", "40"]);
    expect(screen.getByText("1 title matches.")).toBeInTheDocument();
  });

  it("says when no title matches once the list has ended", async () => {
    server.use(...chatApi({ conversations: many(30) }));
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(20));
    await userEvent.type(screen.getByRole("textbox", { name: "Search conversations" }), "nothing like it");
    expect(await screen.findByText("No conversation title contains “nothing like it”.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("renames a conversation through its menu", async () => {
    const bodies: unknown[] = [];
    server.use(
      ...chatApi({ conversations: many(3) }),
      http.patch(`${API}/api/chat/conversations/:id`, async ({ request, params }) => {
        const body = (await request.json()) as { title: string };
        bodies.push({ id: params.id, ...body });
        return HttpResponse.json(conversation(String(params.id), body.title));
      }),
    );
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(3));
    await userEvent.click(screen.getAllByRole("button", { name: "Conversation actions" })[1]!);
    await userEvent.click(await screen.findByRole("menuitem", { name: "Rename" }));
    const dialog = await screen.findByRole("dialog", { name: "Rename conversation" });
    const field = within(dialog).getByRole("textbox", { name: "Title" });
    expect(field).toHaveValue("Topic 2");
    await userEvent.clear(field);
    await userEvent.type(field, "  Renamed topic {Enter}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(bodies).toEqual([{ id: "c2", title: "Renamed topic" }]);
    expect(links()[1]).toHaveTextContent("Renamed topic");
  });

  it("deletes a conversation after confirmation", async () => {
    const deleted: string[] = [];
    server.use(
      ...chatApi({ conversations: many(3) }),
      http.delete(`${API}/api/chat/conversations/:id`, ({ params }) => {
        deleted.push(String(params.id));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(3));
    await userEvent.click(screen.getAllByRole("button", { name: "Conversation actions" })[0]!);
    await userEvent.click(await screen.findByRole("menuitem", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete conversation?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(deleted).toEqual([]);
    await userEvent.click(screen.getAllByRole("button", { name: "Conversation actions" })[0]!);
    await userEvent.click(await screen.findByRole("menuitem", { name: "Delete" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(links()).toHaveLength(2));
    expect(deleted).toEqual(["c1"]);
    expect(links().map((l) => l.textContent)).toEqual(["Topic 2", "Topic 3"]);
  });

  it("exports every page of a conversation's messages as Markdown and JSON", async () => {
    const messages: Message[] = Array.from({ length: 25 }, (_, i) =>
      message(`m${i + 1}`, i % 2 === 0 ? "user" : "assistant", `text number ${i + 1}`),
    );
    server.use(...chatApi({ conversations: [conversation("c1", "Sky & sea")], messages: { c1: messages } }));
    const blobs: Blob[] = [];
    const names: string[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return "blob:test";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    renderChat(<Sidebar />);
    await waitFor(() => expect(links()).toHaveLength(1));
    await userEvent.click(screen.getByRole("button", { name: "Conversation actions" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Export Markdown" }));
    await waitFor(() => expect(blobs).toHaveLength(1));
    await userEvent.click(screen.getByRole("button", { name: "Conversation actions" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Export JSON" }));
    await waitFor(() => expect(blobs).toHaveLength(2));
    expect(names).toEqual(["sky-sea.md", "sky-sea.json"]);
    const markdown = await blobs[0]!.text();
    expect(markdown).toMatch(/^# Sky & sea/);
    expect(markdown).toContain("text number 1\n");
    expect(markdown).toContain("text number 25\n");
    const json = JSON.parse(await blobs[1]!.text()) as { messages: Message[] };
    expect(json.messages).toHaveLength(25);
  });
});
