/** Names for the API's schemas (generated into schema.d.ts from the OpenAPI document). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Conversation = Schemas["ConversationOut"];
export type ConversationDetail = Schemas["ConversationDetail"];
export type ConversationPage = Schemas["ConversationPage"];
export type Message = Schemas["MessageOut"];
export type MessagePage = Schemas["MessagePage"];
export type Model = Schemas["ModelOut"];
export type ModelList = Schemas["ModelList"];
export type ProviderHealth = Schemas["ProviderHealthOut"];
export type Prompt = Schemas["PromptOut"];
export type DocumentOut = Schemas["DocumentOut"];
export type DocumentCreated = Schemas["DocumentCreated"];
export type Source = Schemas["SourceOut"];
export type ToolList = Schemas["ToolList"];
export type ToolServer = Schemas["ToolServerOut"];
export type Tool = Schemas["ToolOut"];
export type ToolCall = Schemas["ToolCallOut"];
export type StreamTicket = Schemas["StreamTicket"];
export type SendMessage = Schemas["SendMessage"];
export type UsageReport = Schemas["UsageReport"];
export type User = Schemas["UserOut"];
