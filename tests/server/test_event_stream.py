# Why this exists: the dev loop tells every open page about a new patch through /events.
# Events must arrive in order, with consecutive ids, at every connected page; a page that
# reconnects with Last-Event-ID gets what it missed from a bounded backlog; a silent stream
# gets keep-alive comments; a page that leaves is dropped without noise in the log.
import json
import time
import unittest

from server_harness import EventStreamClient, ServerTestCase

from devserver import EventChannel


def event_of(frame):
    """(id, kind, data) of an event frame."""
    return int(frame["id"][0]), frame["event"][0], json.loads("\n".join(frame["data"]))


class EventsReachEveryPageInOrder(ServerTestCase):
    def test_stream_is_an_event_stream_that_asks_for_quick_reconnects(self):
        client = EventStreamClient(self)
        self.assertEqual(client.response.status, 200)
        self.assertEqual(client.response.headers["Content-Type"], "text/event-stream")
        self.assertEqual(client.opening.get("retry"), ["1000"])

    def test_published_events_arrive_in_order_with_consecutive_ids(self):
        client = EventStreamClient(self)
        published = [("patch", {"version": 1, "files": ["app/shade.cpp"]}),
                     ("build-failed", {"message": "error: expected ';'\n  at line 3"}),
                     ("patch", {"version": 2, "text": "é ✓ \u2028"})]
        ids = [self.server.events.publish(kind, data) for kind, data in published]
        self.assertEqual(ids, [1, 2, 3])
        received = [event_of(client.read_event()) for _ in published]
        self.assertEqual(received, [(event_id, kind, data) for event_id, (kind, data) in zip(ids, published)])

    def test_every_connected_page_receives_each_event(self):
        clients = [EventStreamClient(self) for _ in range(12)]
        self.assertEqual(self.server.events.subscriber_count, 12)
        self.server.events.publish("patch", {"version": 7})
        self.server.events.publish("patch", {"version": 8})
        for client in clients:
            self.assertEqual(event_of(client.read_event()), (1, "patch", {"version": 7}))
            self.assertEqual(event_of(client.read_event()), (2, "patch", {"version": 8}))

    def test_new_page_does_not_get_old_events(self):
        self.server.events.publish("patch", {"version": 1})
        client = EventStreamClient(self)
        self.server.events.publish("patch", {"version": 2})
        self.assertEqual(event_of(client.read_event()), (2, "patch", {"version": 2}))

    def test_stop_ends_open_streams(self):
        client = EventStreamClient(self)
        self.server.stop()
        self.assertEqual(client.read_frame(), {})


class ReconnectingPagesGetWhatTheyMissed(ServerTestCase):
    settings_overrides = {"event_backlog": 3}

    def test_last_event_id_replays_the_later_events_then_continues(self):
        for version in (1, 2, 3):
            self.server.events.publish("patch", {"version": version})
        client = EventStreamClient(self, last_event_id="1")
        self.assertEqual(event_of(client.read_event()), (2, "patch", {"version": 2}))
        self.assertEqual(event_of(client.read_event()), (3, "patch", {"version": 3}))
        self.server.events.publish("patch", {"version": 4})
        self.assertEqual(event_of(client.read_event()), (4, "patch", {"version": 4}))

    def test_up_to_date_page_gets_no_replay(self):
        self.server.events.publish("patch", {"version": 1})
        client = EventStreamClient(self, last_event_id="1")
        self.server.events.publish("patch", {"version": 2})
        self.assertEqual(event_of(client.read_event())[0], 2)

    def test_backlog_is_bounded_to_the_newest_events(self):
        for version in range(1, 6):
            self.server.events.publish("patch", {"version": version})
        client = EventStreamClient(self, last_event_id="0")
        self.assertEqual([event_of(client.read_event())[0] for _ in range(3)], [3, 4, 5])

    def test_id_from_an_earlier_server_run_replays_the_whole_backlog(self):
        self.server.events.publish("patch", {"version": 1})
        self.server.events.publish("patch", {"version": 2})
        client = EventStreamClient(self, last_event_id="999")
        self.assertEqual([event_of(client.read_event())[0] for _ in range(2)], [1, 2])

    def test_unknown_id_replays_nothing(self):
        self.server.events.publish("patch", {"version": 1})
        client = EventStreamClient(self, last_event_id="not-an-id")
        self.server.events.publish("patch", {"version": 2})
        self.assertEqual(event_of(client.read_event())[0], 2)


class SilentStreamsStayAlive(ServerTestCase):
    settings_overrides = {"keepalive_seconds": 0.05}

    def test_silent_stream_sends_keep_alive_comments(self):
        client = EventStreamClient(self)
        self.assertEqual(client.read_frame(), {"": ["keep-alive"]})
        self.server.events.publish("patch", {"version": 1})
        self.assertEqual(event_of(client.read_event())[0], 1)


class DepartedPagesAreDropped(ServerTestCase):
    def wait_for_no_subscribers(self):
        # Each stream notices its page left without any write: its socket turns readable.
        # Polled with a cap so a regression fails instead of hanging.
        for _ in range(1000):
            if self.server.events.subscriber_count == 0:
                return
            time.sleep(0.01)
        self.fail(f"{self.server.events.subscriber_count} subscribers left after their pages closed")

    def test_closed_page_is_dropped_without_errors_in_the_log(self):
        clients = [EventStreamClient(self) for _ in range(3)]
        self.assertEqual(self.server.events.subscriber_count, 3)
        for client in clients:
            client.close()
        self.wait_for_no_subscribers()
        self.server.events.publish("patch", {"version": 1})
        log = self.log.getvalue()
        self.assertNotIn("Traceback", log)
        self.assertNotIn("error", log.lower())
        self.assertEqual(log.count("GET /events 200"), 3)

    def test_remaining_pages_still_receive_after_another_leaves(self):
        leaving, staying = EventStreamClient(self), EventStreamClient(self)
        leaving.close()
        self.server.events.publish("patch", {"version": 1})
        self.assertEqual(event_of(staying.read_event()), (1, "patch", {"version": 1}))


class PagesFarBehindAreCutOff(unittest.TestCase):
    def test_subscription_ends_when_its_queue_is_full(self):
        channel = EventChannel(pending_limit=2)
        subscription = channel.subscribe()
        self.addCleanup(subscription.close)
        for version in (1, 2, 3):
            channel.publish("patch", {"version": version})
        self.assertTrue(subscription.ended)
        frames = subscription.take_frames()
        self.assertEqual([frame.split(b"\n")[0] for frame in frames], [b"id: 1", b"id: 2"])

    def test_subscription_keeping_up_stays_open(self):
        channel = EventChannel(pending_limit=2)
        subscription = channel.subscribe()
        self.addCleanup(subscription.close)
        for version in (1, 2, 3):
            channel.publish("patch", {"version": version})
            self.assertEqual(len(subscription.take_frames()), 1)
        self.assertFalse(subscription.ended)


class PublishChecksItsArguments(unittest.TestCase):
    def test_kind_must_be_a_plain_name(self):
        channel = EventChannel()
        for kind in ("", "two words", "line\nbreak", "colon:", None):
            with self.subTest(kind=kind), self.assertRaises(ValueError):
                channel.publish(kind, {})

    def test_data_must_be_a_json_object(self):
        channel = EventChannel()
        with self.assertRaises(TypeError):
            channel.publish("patch", [1, 2])
        with self.assertRaises(ValueError):
            channel.publish("patch", {"not finite": float("nan")})
        with self.assertRaises(TypeError):
            channel.publish("patch", {"object": object()})
        self.assertEqual(channel.last_event_id, 0, "a refused event uses up no id")
        self.assertEqual(channel.publish("patch", {}), 1)


if __name__ == "__main__":
    unittest.main()
