// electron-vite's import suffixes (`?modulePath` for the service's worker entries).
/// <reference types="electron-vite/node" />
