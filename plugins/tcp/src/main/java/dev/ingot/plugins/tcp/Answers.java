package dev.ingot.plugins.tcp;

import java.util.LinkedHashMap;
import java.util.Map;

/** The answer lines: {@code {"ok":true,…}} or {@code {"ok":false,"code":…,"error":…}}. */
final class Answers {

    private Answers() {}

    static Map<String, Object> ok() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", true);
        return answer;
    }

    static String error(String code, String message) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", false);
        answer.put("code", code);
        answer.put("error", message.replace('\n', ' '));
        return Json.write(answer);
    }
}
