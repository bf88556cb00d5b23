"""LocalApiClient: the config over REST and the streaming websocket of port 8081.

The websocket is the machine's only local connection: while it is open the official app
cannot use the local path, so ``async_close`` must be called when the client is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Final

import aiohttp

from ...errors import AuthError, ConnectionFailedError, ProtocolError
from .config import LocalConfig, decode_config
from .errors import KeyNotEnabledError
from .frames import Frame, decode_frame

_LOGGER = logging.getLogger(__name__)

CONFIG_PATH: Final = "/api/v1/config"
STREAMING_PATH: Final = "/api/v1/streaming"
REQUEST_TIMEOUT: Final = 10.0
# The gateway sends temperatures and KeepAlive frames all the time; this long without
# any frame means it is gone even if the socket still looks open.
RECEIVE_TIMEOUT: Final = 30.0

type FrameHandler = Callable[[Frame], None]


class LocalApiClient:
    """One machine's local API, authenticated with its ``communicationKey``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int,
        key: str,
        *,
        request_timeout: float = REQUEST_TIMEOUT,
        receive_timeout: float = RECEIVE_TIMEOUT,
    ) -> None:
        """A client of ``host:port``; nothing is sent until asked."""
        self._session = session
        self._base = f"http://{host}:{port}"
        self._headers = {"Authorization": f"Bearer {key}"}
        self._request_timeout = request_timeout
        self._receive_timeout = receive_timeout
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self.bad_frames = 0

    def __repr__(self) -> str:
        # Never the key.
        return f"LocalApiClient({self._base}, streaming={self.streaming})"

    @property
    def streaming(self) -> bool:
        """Whether the websocket is open."""
        return self._socket is not None and not self._socket.closed

    async def async_get_config(self) -> LocalConfig:
        """Read ``/api/v1/config``."""
        try:
            async with asyncio.timeout(self._request_timeout):
                async with self._session.get(
                    self._base + CONFIG_PATH, headers=self._headers
                ) as reply:
                    _raise_for_status(reply.status)
                    body = await reply.read()
        except TimeoutError as err:
            raise ConnectionFailedError("the gateway did not answer in time") from err
        except aiohttp.ClientError as err:
            raise ConnectionFailedError(
                f"the gateway is unreachable ({type(err).__name__})"
            ) from err
        return decode_config(body)

    async def async_listen(
        self, handler: FrameHandler, on_open: Callable[[], None] | None = None
    ) -> None:
        """Open the websocket and hand every good frame to ``handler`` until it ends.

        Returns never normally: a closed or silent websocket is a ConnectionFailedError.
        A frame that does not decode is skipped (and counted), the stream goes on.
        """
        socket = await self._open()
        try:
            if on_open is not None:
                on_open()
            while True:
                frame = await self._receive(socket)
                if frame is not None:
                    handler(frame)
        finally:
            await self.async_close()

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        await self.async_close()
        try:
            async with asyncio.timeout(self._request_timeout):
                socket = await self._session.ws_connect(
                    self._base + STREAMING_PATH, headers=self._headers, autoping=True
                )
        except TimeoutError as err:
            raise ConnectionFailedError("the gateway did not open the stream in time") from err
        except aiohttp.WSServerHandshakeError as err:
            _raise_for_status(err.status)
            raise ConnectionFailedError(f"the gateway refused the stream ({err.status})") from err
        except aiohttp.ClientError as err:
            raise ConnectionFailedError(
                f"the gateway is unreachable ({type(err).__name__})"
            ) from err
        self._socket = socket
        return socket

    async def _receive(self, socket: aiohttp.ClientWebSocketResponse) -> Frame | None:
        try:
            message = await socket.receive(timeout=self._receive_timeout)
        except TimeoutError as err:
            raise ConnectionFailedError(
                f"the gateway was silent for {self._receive_timeout:g} s"
            ) from err
        except aiohttp.ClientError as err:
            raise ConnectionFailedError(f"the stream failed ({type(err).__name__})") from err
        if message.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}:
            raise ConnectionFailedError("the gateway closed the stream")
        if message.type is aiohttp.WSMsgType.ERROR:
            raise ConnectionFailedError("the stream failed")
        if message.type not in {aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY}:
            return None
        try:
            return decode_frame(message.data)
        except ProtocolError as err:
            self.bad_frames += 1
            _LOGGER.debug("Skipping a frame from the gateway: %s", err)
            return None

    async def async_close(self) -> None:
        """Close the websocket, giving the machine's local connection back."""
        socket, self._socket = self._socket, None
        if socket is not None and not socket.closed:
            await socket.close()


def _raise_for_status(status: int) -> None:
    if status == 403:
        raise KeyNotEnabledError("the gateway has not enabled this key")
    if status == 401:
        raise AuthError("the gateway refused the key")
    if status >= 500:
        raise ConnectionFailedError(f"the gateway is busy or failing (HTTP {status})")
    if status != 200:
        raise ProtocolError(f"unexpected HTTP {status} from the gateway")
