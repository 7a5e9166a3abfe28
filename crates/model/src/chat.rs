//! Chat templates. Both supported families use ChatML (`<|im_start|>role\n…<|im_end|>\n`);
//! they differ in the default system prompt their templates insert.

use serde::{Deserialize, Serialize};

/// Who speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Speaker.
    pub role: Role,
    /// Text.
    pub content: String,
}

impl ChatMessage {
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::User,
            content: content.into(),
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::System,
            content: content.into(),
        }
    }

    /// A model's earlier reply, in a conversation that goes on.
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// A model family's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTemplate {
    /// System prompt inserted when the conversation has none (as the model's template does).
    pub default_system: Option<String>,
    /// The token that ends a turn.
    pub end_of_turn: String,
}

impl ChatTemplate {
    /// Qwen2.5 (ChatML, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.").
    pub fn qwen() -> Self {
        ChatTemplate {
            default_system: Some(
                "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.".into(),
            ),
            end_of_turn: "<|im_end|>".into(),
        }
    }

    /// SmolLM2 (ChatML with its own default system prompt).
    pub fn smollm() -> Self {
        ChatTemplate {
            default_system: Some(
                "You are a helpful AI assistant named SmolLM, trained by Hugging Face".into(),
            ),
            end_of_turn: "<|im_end|>".into(),
        }
    }

    /// Picks the template from a GGUF's `tokenizer.chat_template` text (ChatML either way).
    pub fn from_gguf_template(template: Option<&str>) -> Self {
        match template {
            Some(t) if t.contains("SmolLM") => ChatTemplate::smollm(),
            Some(t) if t.contains("You are Qwen") => ChatTemplate::qwen(),
            _ => ChatTemplate {
                default_system: None,
                end_of_turn: "<|im_end|>".into(),
            },
        }
    }

    /// Renders the conversation and opens the assistant's turn.
    pub fn render(&self, messages: &[ChatMessage]) -> String {
        let mut out = String::new();
        if messages.first().is_none_or(|m| m.role != Role::System)
            && let Some(system) = &self.default_system
        {
            out.push_str(&format!("<|im_start|>system\n{system}<|im_end|>\n"));
        }
        for m in messages {
            out.push_str(&format!(
                "<|im_start|>{}\n{}<|im_end|>\n",
                m.role.name(),
                m.content
            ));
        }
        out.push_str("<|im_start|>assistant\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen_template_matches_the_reference_rendering() {
        let text = ChatTemplate::qwen().render(&[ChatMessage::user("Hi")]);
        assert_eq!(
            text,
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n\
             <|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn explicit_system_prompt_replaces_the_default() {
        let text = ChatTemplate::smollm()
            .render(&[ChatMessage::system("Be brief."), ChatMessage::user("Hi")]);
        assert_eq!(
            text,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        assert!(!text.contains("SmolLM"));
    }

    #[test]
    fn template_is_recognised_from_gguf_text() {
        assert_eq!(
            ChatTemplate::from_gguf_template(Some("... named SmolLM, trained ...")),
            ChatTemplate::smollm()
        );
        assert_eq!(
            ChatTemplate::from_gguf_template(Some("You are Qwen, created by")),
            ChatTemplate::qwen()
        );
        assert_eq!(ChatTemplate::from_gguf_template(None).default_system, None);
    }
}
