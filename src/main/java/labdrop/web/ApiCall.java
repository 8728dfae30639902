package labdrop.web;

import java.io.IOException;

/** One API call's handler: the answer (a view turned into JSON, or {@link ApiHandler.Text}); errors are thrown. */
@FunctionalInterface
interface ApiCall {
    Object answer(Call call) throws IOException;
}
