"""What both peer scripts (boto3_fanout.py, libcloud_fanout.py) share: their own CPU time, a
thread-safe count of API calls by action, and slicing a list into chunks. Standard library
only: libcloud's script runs under Debian's /usr/bin/python3, boto3's under the image's."""
import resource
import threading


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class call_counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}

    def add(self, action, n=1):
        with self.lock:
            self.calls[action] = self.calls.get(action, 0) + n


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]
