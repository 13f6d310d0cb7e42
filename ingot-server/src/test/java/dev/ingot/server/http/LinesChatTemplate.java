package dev.ingot.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A chat template for the test models, which have none of their own: BOS, one {@code role: content}
 * line per message, then {@code assistant:}. Tests give it to the server as {@code --chat-template} does.
 */
final class LinesChatTemplate {

    static final String SOURCE = """
            {{ bos_token }}{% for message in messages %}{{ message.role }}: {{ message.content }}
            {% endfor %}{% if add_generation_prompt %}assistant:{% endif %}""";

    private LinesChatTemplate() {}

    /** The template in a temporary file (deleted when the JVM exits). */
    static Path file() {
        try {
            Path file = Files.createTempFile("lines-chat-template", ".jinja");
            file.toFile().deleteOnExit();
            return Files.writeString(file, SOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback server config that renders chats with this template. */
    static ServerConfig loopback(String modelName) {
        return ServerConfig.loopback(modelName).withChatTemplate(file());
    }
}
