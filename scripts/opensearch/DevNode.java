/*
 * Launcher for the single-node dev/CI OpenSearch started by scripts/opensearch-dev.
 *
 * It does what OpenSearchRunner.main() does (build the nodes from the same
 * command-line options, then block until they are closed, closing them on
 * SIGTERM via a shutdown hook), with two fixes that matter for a script:
 *
 *  1. OpenSearchRunner.main() swallows every startup exception and just calls
 *     System.exit(1), so a bad setting, a held data-dir lock or a busy port
 *     leaves nothing in the log. Here the full cause chain is printed.
 *
 *  2. By default the runner probes http.port and silently moves to the next
 *     free one (up to 9299) if something already answers there, so the node
 *     could come up on a port nobody is polling. setMaxHttpPort(-1) turns the
 *     probe off: the node binds exactly -baseHttpPort + 1 or fails loudly.
 *
 * Settings are not handled here: the runner loads <confPath>/opensearch.yml,
 * which the script writes on every start.
 */

import java.io.IOException;

import org.codelibs.opensearch.runner.OpenSearchRunner;

public final class DevNode {

    private DevNode() {
    }

    public static void main(final String[] args) throws Exception {
        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException | RuntimeException e) {
                e.printStackTrace();
            }
        }, "opensearch-dev-shutdown"));

        try {
            runner.build(args);
        } catch (final Throwable t) {
            System.err.println("opensearch-dev: the node failed to start:");
            t.printStackTrace();
            System.err.flush();
            System.exit(1); // runs the shutdown hook, which closes a half-built node
        }

        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
